using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SseDashboard.Auth;

public enum LoginOutcome
{
    LoggedIn,
    WrongToken,
    Throttled,
}

/// <summary>Token mode's browser sessions: a token for a session cookie, and logout, which revokes the session everywhere.</summary>
public sealed class SessionLogin(
    LoginToken token, FailedLogins failures, AccessStore store, AccessWatch watch, IOptions<AuthOptions> options, TimeProvider timeProvider)
{
    public async Task<(LoginOutcome Outcome, TimeSpan RetryAfter)> LogInAsync(HttpContext context, string? candidate)
    {
        var right = false;
        if (!failures.TryAttempt(context, () => !(right = token.Matches(candidate)), out var retryAfter))
        {
            return (LoginOutcome.Throttled, retryAfter);
        }

        if (!right)
        {
            return (LoginOutcome.WrongToken, TimeSpan.Zero);
        }

        var expiresAt = timeProvider.GetUtcNow() + options.Value.SessionLifetime;
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, "token"),
                new Claim(DashboardClaims.SessionId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))),
                DashboardClaims.ExpiresAt(expiresAt),
                new Claim(DashboardClaims.LoginToken, token.Fingerprint),
            ],
            AuthSchemes.Session);
        await context.SignInAsync(AuthSchemes.Session, new ClaimsPrincipal(identity), new AuthenticationProperties
        {
            IsPersistent = true,
            ExpiresUtc = expiresAt,
            AllowRefresh = false,
        });
        return (LoginOutcome.LoggedIn, TimeSpan.Zero);
    }

    /// <summary>
    /// Ends the session: its cookie is refused from now on (a copy too, on every node), and its open streams are closed.
    /// The cookie goes from this browser even when the store cannot take the revocation (then this throws).
    /// </summary>
    public async Task LogOutAsync(HttpContext context, ClaimsPrincipal? session)
    {
        await context.SignOutAsync(AuthSchemes.Session);
        if (session?.FindFirst(DashboardClaims.SessionId) is not null && DashboardClaims.Lease(session) is var (sessionId, expiresAt))
        {
            await store.RevokeSessionAsync(sessionId, expiresAt, context.RequestAborted);
            watch.Revoke(sessionId);
        }
    }
}
