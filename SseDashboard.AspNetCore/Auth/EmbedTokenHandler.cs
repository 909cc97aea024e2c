using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SseDashboard.Auth;

/// <summary><c>?embed=&lt;token&gt;</c>: a principal that reaches only the token's panels, from the token's origins.</summary>
public sealed class EmbedTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, EmbedTokens tokens, FailedLogins failures)
    : GuessableTokenHandler(options, logger, encoder, failures)
{
    protected override string? Candidate() => AuthSchemes.EmbedToken(Request);

    private bool _unknown;

    // Only a token this dashboard never signed counts as a guess; an expired or revoked one was genuine.
    protected override (ClaimsPrincipal? Principal, string Problem, bool Guess) Check(string candidate)
    {
        var status = tokens.Check(candidate, out var grant);
        _unknown = status == EmbedTokenStatus.Unknown;
        return status switch
        {
            EmbedTokenStatus.Valid => (Principal(grant!), "", false),
            EmbedTokenStatus.Expired => (null, "This embed token has expired.", false),
            EmbedTokenStatus.Revoked => (null, "This embed token was revoked.", false),
            EmbedTokenStatus.Unknown => (null, AuthSchemes.AccessListDown, false),
            _ => (null, "This is not a valid embed token.", true),
        };
    }

    // Not a 401 (the page would show "signed out" and stop): a 503 the page retries, which works once the store does.
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        _unknown ? AuthSchemes.UnavailableAsync(Context, AuthSchemes.AccessListDown) : base.HandleChallengeAsync(properties);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AuthSchemes.ForbiddenAsync(Context, $"This embed token reaches only {string.Join(", ", DashboardClaims.Panels(Context.User) ?? new HashSet<string>())}.");

    private ClaimsPrincipal Principal(EmbedGrant grant)
    {
        List<Claim> claims =
        [
            new(ClaimTypes.Name, $"embed {grant.Id}"),
            new(DashboardClaims.EmbedId, grant.Id),
            DashboardClaims.ExpiresAt(grant.ExpiresAt),
            .. grant.Panels.Select(p => new Claim(DashboardClaims.Panel, p)),
            .. grant.Origins.Select(o => new Claim(DashboardClaims.Origin, o)),
        ];
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name));
    }
}
