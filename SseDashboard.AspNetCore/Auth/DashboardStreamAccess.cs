using SseDashboard.Streaming;

namespace SseDashboard.Auth;

/// <summary>An embed token's streams reach its panels only; a session's or embed token's stream ends with it.</summary>
public sealed class DashboardStreamAccess(AccessWatch watch, AccessStore store) : IStreamAccess
{
    public IReadOnlySet<string>? AllowedTopics(HttpContext context) => DashboardClaims.Panels(context.User);

    public StreamLease? Lease(HttpContext context)
    {
        if (DashboardClaims.Lease(context.User) is not var (key, expiresAt))
        {
            return null;
        }

        var lease = watch.Lease(key, expiresAt);
        // Revoked between this request's authentication and its lease: Revoke did not see the lease.
        if (store.IsSessionRevoked(key) || store.IsEmbedTokenRevoked(key))
        {
            lease.End(StreamLease.Revoked);
        }

        return lease;
    }
}
