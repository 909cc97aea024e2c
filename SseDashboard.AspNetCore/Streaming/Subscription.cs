namespace SseDashboard.Streaming;

/// <summary>
/// One client's subscription: which topics, in which format, and the queue its writer drains. Disposing it leaves the
/// hub; called in the connection's finally.
/// </summary>
public sealed class Subscription : IDisposable
{
    private readonly SubscriptionStore _store;
    private readonly Action? _abort;
    private bool _disposed;

    // When the write in progress began (a TimeProvider timestamp); 0 while none is waiting on the client.
    private long _writeStarted;
    private volatile bool _stalled;

    /// <param name="abort">Ends the connection at once: the client overflowed its queue or stopped reading.</param>
    internal Subscription(SubscriptionStore store, ulong topicMask, SseFormat format, EventQueue queue, Action? abort, IReadOnlySet<string>? hosts = null)
    {
        Hosts = hosts;
        _store = store;
        _abort = abort;
        TopicMask = topicMask;
        Format = format;
        Queue = queue;
    }

    public SseFormat Format { get; }

    public EventQueue Queue { get; }

    /// <summary>One bit per subscribed topic (by <see cref="SseEvent.TopicIndex"/>).</summary>
    internal ulong TopicMask { get; }

    /// <summary>The hosts asked for (<c>hosts=</c>); null for all.</summary>
    public IReadOnlySet<string>? Hosts { get; }

    /// <summary>Position in the <see cref="SubscriptionStore"/>, for O(1) removal; -1 when not stored.</summary>
    internal int Slot { get; set; } = -1;

    /// <summary>True once the connection was aborted because its writes made no progress.</summary>
    public bool Stalled => _stalled;

    /// <summary>Whether <paramref name="hosts"/> (null: all) takes <paramref name="e"/>; an event of no host goes to all.</summary>
    internal static bool IsFor(IReadOnlySet<string>? hosts, SseEvent e) => hosts is null || e.Host is null || hosts.Contains(e.Host);

    /// <summary>The writer is waiting for the client to take what it wrote (a flush that did not complete at once).</summary>
    public void WriteStarted(long timestamp) => Volatile.Write(ref _writeStarted, timestamp);

    public void WriteFinished() => Volatile.Write(ref _writeStarted, 0);

    internal bool IsStalled(long now, long limit)
    {
        var started = Volatile.Read(ref _writeStarted);
        return started != 0 && now - started >= limit;
    }

    internal void AbortStalled()
    {
        _stalled = true;
        Abort();
    }

    /// <summary>
    /// Ends the connection, unless the stream has already ended: the store aborts after letting go of its lock, and a
    /// request that finished meanwhile may be serving the connection's next one.
    /// </summary>
    internal void Abort()
    {
        Queue.Complete();
        if (_abort is null)
        {
            return;
        }

        // The abort delegate is the lock: one per stream, at no cost per stream (a Lock field would be 40 B), and not
        // shared, since ending a connection can run a while (its callbacks, and with inline scheduling its writer).
        lock (_abort)
        {
            if (!_disposed)
            {
                _abort();
            }
        }
    }

    /// <summary>Ends the subscription; its writer drains what is queued and stops.</summary>
    public void Complete() => Queue.Complete();

    public void Dispose()
    {
        // Waits for an abort under way; none starts after.
        if (_abort is not null)
        {
            lock (_abort)
            {
                _disposed = true;
            }
        }

        Queue.Complete();
        _store.Remove(this);
    }
}
