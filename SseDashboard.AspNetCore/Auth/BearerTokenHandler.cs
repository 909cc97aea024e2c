using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SseDashboard.Auth;

/// <summary><c>Authorization: Bearer &lt;token&gt;</c> for scripts (hand-written: the token is not a JWT, and the JWT handler cannot be restored here).</summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, LoginToken token, FailedLogins failures)
    : GuessableTokenHandler(options, logger, encoder, failures)
{
    protected override string? Candidate() => AuthSchemes.BearerToken(Request);

    protected override (ClaimsPrincipal? Principal, string Problem, bool Guess) Check(string candidate) =>
        token.Matches(candidate)
            ? (new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "token")], Scheme.Name)), "", false)
            : (null, "The bearer token is not the dashboard's token (Dashboard:Auth:Token, or the one in the login link).", true);

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
