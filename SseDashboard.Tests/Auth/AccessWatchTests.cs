using SseDashboard.Auth;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Auth;

public sealed class AccessWatchTests
{
    private readonly TimerCountingTimeProvider _time = new();

    [Fact]
    public void Lease_EndsExpiredAtItsExpiry_NotBefore()
    {
        var watch = new AccessWatch(_time);
        using var lease = watch.Lease("session-1", _time.GetUtcNow().AddSeconds(10));

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        var before = lease.Ended.IsCancellationRequested;
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.False(before);
        Assert.True(lease.Ended.IsCancellationRequested);
        Assert.Equal(StreamLease.Expired, lease.Reason);
    }

    [Fact]
    public void Revoke_EndsEveryLeaseOfThatKey_AsRevoked_AndNoOther()
    {
        var watch = new AccessWatch(_time);
        var expiry = _time.GetUtcNow().AddDays(1);
        using var tab1 = watch.Lease("session-1", expiry);
        using var tab2 = watch.Lease("session-1", expiry);
        using var other = watch.Lease("session-2", expiry);

        watch.Revoke("session-1");
        _time.Advance(TimeSpan.FromDays(2));

        Assert.Equal<string?[]>([StreamLease.Revoked, StreamLease.Revoked, StreamLease.Expired], [tab1.Reason, tab2.Reason, other.Reason]);
    }

    [Fact]
    public void DisposedLease_IsNotEndedByALaterRevoke_AndItsExpiryNoLongerFires()
    {
        var watch = new AccessWatch(_time);
        var lease = watch.Lease("embed-1", _time.GetUtcNow().AddSeconds(1));

        lease.Dispose();
        watch.Revoke("embed-1");
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Null(lease.Reason);
        Assert.Equal(0, _time.WaitingTimers);
    }

    [Fact]
    public void Lease_ExpiringInAYear_WaitsInDailySteps_AndEndsAtItsExpiry()
    {
        var watch = new AccessWatch(_time);
        using var lease = watch.Lease("embed-1", _time.GetUtcNow().AddDays(365));

        _time.Advance(TimeSpan.FromDays(365) - TimeSpan.FromSeconds(1));
        var before = lease.Reason;
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(before);
        Assert.Equal(StreamLease.Expired, lease.Reason);
    }

    [Fact]
    public void Lease_ExpiringInAYear_OnTheSystemClock_StartsItsTimer()
    {
        // The system timer refuses a due time past about 49.7 days.
        var watch = new AccessWatch(TimeProvider.System);

        using var lease = watch.Lease("embed-1", DateTimeOffset.UtcNow.AddDays(365));

        Assert.Null(lease.Reason);
    }
}
