namespace SseDashboard.Streaming;

/// <summary>
/// Who may read what on <c>/sse</c>: supplied by whoever authenticates the request; streaming only enforces it. The
/// default lets every caller read every topic for as long as it likes.
/// </summary>
public interface IStreamAccess
{
    /// <summary>The topics the caller may read; null: all of them.</summary>
    IReadOnlySet<string>? AllowedTopics(HttpContext context);

    /// <summary>What ends the caller's stream when its access ends; null: nothing does. The stream disposes it.</summary>
    StreamLease? Lease(HttpContext context);
}

internal sealed class OpenStreamAccess : IStreamAccess
{
    public IReadOnlySet<string>? AllowedTopics(HttpContext context) => null;

    public StreamLease? Lease(HttpContext context) => null;
}

/// <summary>
/// The access behind one open stream: <see cref="Ended"/> fires when it expires (at <c>expiresAt</c>) or is ended
/// (revoked), and <see cref="Reason"/> says which; the stream then sends <c>event: close</c> and ends.
/// </summary>
public sealed class StreamLease : IDisposable
{
    public const string Expired = "expired";
    public const string Revoked = "revoked";

    // Never disposed: the expiry timer or a revocation may still call End after Dispose, and a CancellationTokenSource
    // with neither a timer nor a wait handle holds nothing that needs it.
    private readonly CancellationTokenSource _ended = new();
    private readonly ITimer? _expiry;
    private readonly Action<StreamLease>? _released;
    private string? _reason;

    /// <summary>The longest a timer waits in one go (the system timer's limit is about 49.7 days); a later expiry re-arms it.</summary>
    internal static readonly TimeSpan MaxTimerStep = TimeSpan.FromDays(1);

    private readonly TimeProvider _timeProvider;
    private readonly DateTimeOffset _expiresAt;

    public StreamLease(DateTimeOffset? expiresAt, TimeProvider timeProvider, Action<StreamLease>? released = null)
    {
        _released = released;
        _timeProvider = timeProvider;
        if (expiresAt is { } at)
        {
            _expiresAt = at;
            _expiry = timeProvider.CreateTimer(static s => ((StreamLease)s!).OnTimer(), this, NextStep(), Timeout.InfiniteTimeSpan);
        }
    }

    public CancellationToken Ended => _ended.Token;

    /// <summary><see cref="Expired"/> or <see cref="Revoked"/> once ended.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    public void End(string reason)
    {
        if (Interlocked.CompareExchange(ref _reason, reason, null) is null)
        {
            _ended.Cancel();
        }
    }

    private TimeSpan NextStep()
    {
        var left = _expiresAt - _timeProvider.GetUtcNow();
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left < MaxTimerStep ? left : MaxTimerStep;
    }

    private void OnTimer()
    {
        if (_timeProvider.GetUtcNow() >= _expiresAt)
        {
            End(Expired);
        }
        else
        {
            _expiry!.Change(NextStep(), Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        _expiry?.Dispose();
        _released?.Invoke(this);
    }
}
