using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SseDashboard.Auth;

/// <summary><c>Authorization: Bearer &lt;token&gt;</c> for scripts (hand-written: the token is not a JWT, and the JWT handler cannot be restored here).</summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, LoginToken token, FailedLogins failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private TimeSpan? _throttled;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (failures.IsThrottled(Context, out var retryAfter))
        {
            _throttled = retryAfter;
            return Task.FromResult(AuthenticateResult.Fail("Too many wrong tokens."));
        }

        if (!token.Matches(header["Bearer ".Length..].Trim()))
        {
            failures.Failed(Context);
            return Task.FromResult(AuthenticateResult.Fail("Wrong token."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "token")], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (_throttled is { } retryAfter)
        {
            return FailedLogins.ThrottledAsync(Context, retryAfter);
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        return AuthSchemes.UnauthorizedAsync(Context, "The bearer token is not the dashboard's token (Dashboard:Auth:Token, or the one in the login link).");
    }
}
