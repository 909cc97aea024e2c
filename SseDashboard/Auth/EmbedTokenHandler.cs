using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SseDashboard.Auth;

/// <summary><c>?embed=&lt;token&gt;</c>: a principal that reaches only the token's panels, from the token's origins.</summary>
public sealed class EmbedTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, EmbedTokens tokens, FailedLogins failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private TimeSpan? _throttled;
    private string _problem = "This page needs an embed token.";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Request.Query[AuthSchemes.EmbedQuery].ToString();
        if (failures.IsThrottled(Context, out var retryAfter))
        {
            _throttled = retryAfter;
            return Task.FromResult(AuthenticateResult.Fail("Too many wrong tokens."));
        }

        var status = tokens.Check(token, out var grant);
        if (status != EmbedTokenStatus.Valid)
        {
            // Only a token this dashboard never signed counts as a guess; an expired or revoked one was genuine.
            if (status == EmbedTokenStatus.Invalid)
            {
                failures.Failed(Context);
            }

            _problem = status switch
            {
                EmbedTokenStatus.Expired => "This embed token has expired.",
                EmbedTokenStatus.Revoked => "This embed token was revoked.",
                _ => "This is not a valid embed token.",
            };
            return Task.FromResult(AuthenticateResult.Fail(_problem));
        }

        List<Claim> claims =
        [
            new(ClaimTypes.Name, $"embed {grant!.Id}"),
            new(DashboardClaims.EmbedId, grant.Id),
            DashboardClaims.ExpiresAt(grant.ExpiresAt),
            .. grant.Panels.Select(p => new Claim(DashboardClaims.Panel, p)),
            .. grant.Origins.Select(o => new Claim(DashboardClaims.Origin, o)),
        ];
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        _throttled is { } retryAfter ? FailedLogins.ThrottledAsync(Context, retryAfter) : AuthSchemes.UnauthorizedAsync(Context, _problem);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AuthSchemes.ForbiddenAsync(Context, $"This embed token reaches only {string.Join(", ", DashboardClaims.Panels(Context.User) ?? new HashSet<string>())}.");
}
