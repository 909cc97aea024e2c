using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Auth;

/// <summary>
/// An embed token's streams reach its panels only; a session's or embed token's stream ends with it. In Host mode a
/// stream ends when the host's own sign-in (its cookie) expires.
/// </summary>
public sealed class DashboardStreamAccess(AccessWatch watch, AccessStore store, IOptions<AuthOptions> auth, TimeProvider timeProvider) : IStreamAccess
{
    public IReadOnlySet<string>? AllowedTopics(HttpContext context) => DashboardClaims.Panels(context.User);

    public StreamLease? Lease(HttpContext context)
    {
        if (auth.Value.Mode == AuthMode.Host)
        {
            // What the host's authentication found for this request, with the expiry its cookie carries.
            return context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc is { } signedInUntil
                ? new StreamLease(signedInUntil, timeProvider)
                : null;
        }

        if (DashboardClaims.Lease(context.User) is not var (key, expiresAt))
        {
            // A provider's JWT: the stream ends when the token does.
            return context.User.Identity?.AuthenticationType == AuthSchemes.Jwt && long.TryParse(context.User.FindFirst("exp")?.Value, out var exp)
                ? new StreamLease(DateTimeOffset.FromUnixTimeSeconds(exp), timeProvider)
                : null;
        }

        var lease = watch.Lease(key, expiresAt);
        // Revoked between this request's authentication and its lease: Revoke did not see the lease.
        if (store.Session(key) != AccessCheck.Allowed || store.EmbedToken(key) != AccessCheck.Allowed)
        {
            lease.End(StreamLease.Revoked);
        }

        return lease;
    }
}
