using SseDashboard.Streaming;

namespace SseDashboard.Auth;

/// <summary>The open streams behind each session or embed token, so that a logout or a revocation ends them.</summary>
public sealed class AccessWatch(TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<StreamLease>> _open = [];

    /// <summary>A lease that expires at <paramref name="expiresAt"/> and ends with every other of <paramref name="key"/> on <see cref="Revoke"/>.</summary>
    public StreamLease Lease(string key, DateTimeOffset expiresAt)
    {
        var lease = new StreamLease(expiresAt, timeProvider, released => Release(key, released));
        lock (_lock)
        {
            if (!_open.TryGetValue(key, out var leases))
            {
                _open[key] = leases = [];
            }

            leases.Add(lease);
        }

        return lease;
    }

    public void Revoke(string key)
    {
        StreamLease[] ending;
        lock (_lock)
        {
            ending = _open.TryGetValue(key, out var leases) ? [.. leases] : [];
        }

        foreach (var lease in ending)
        {
            lease.End(StreamLease.Revoked);
        }
    }

    private void Release(string key, StreamLease lease)
    {
        lock (_lock)
        {
            if (_open.TryGetValue(key, out var leases) && leases.Remove(lease) && leases.Count == 0)
            {
                _open.Remove(key);
            }
        }
    }
}
