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
    protected override string? Candidate() =>
        Request.Query.TryGetValue(AuthSchemes.EmbedQuery, out var token) ? token.ToString() : null;

    // Only a token this dashboard never signed counts as a guess; an expired or revoked one was genuine.
    protected override (ClaimsPrincipal? Principal, string Problem, bool Guess) Check(string candidate) =>
        tokens.Check(candidate, out var grant) switch
        {
            EmbedTokenStatus.Valid => (Principal(grant!), "", false),
            EmbedTokenStatus.Expired => (null, "This embed token has expired.", false),
            EmbedTokenStatus.Revoked => (null, "This embed token was revoked.", false),
            EmbedTokenStatus.Unknown => (null, "Embed tokens cannot be checked now: the store that lists revocations cannot be reached. Try again shortly.", false),
            _ => (null, "This is not a valid embed token.", true),
        };

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
