using System.Threading.Tasks.Sources;

namespace SseDashboard.Streaming;

/// <summary>
/// One connection's bounded queue. State events coalesce (a pending one is replaced by the newest, which moves to
/// the back so ids stay increasing); stream events queue, and a subscriber more than the bound behind overflows.
/// A hand-written queue because a Channel can neither replace a pending item nor stay bounded while coalescing.
/// </summary>
public sealed class Subscriber : IValueTaskSource<bool>, IDisposable
{
    private readonly Lock _lock = new();
    private readonly EventHub _hub;
    private readonly Action? _onOverflow;
    private readonly int _maxQueuedStreamEvents;
    private readonly int[] _pendingStateSlot;
    private ManualResetValueTaskSourceCore<bool> _signal = new() { RunContinuationsAsynchronously = true };
    private SseEvent?[] _pending = new SseEvent?[4];
    private SseEvent?[] _draining = new SseEvent?[4];
    private int _pendingCount;
    private int _pendingStreamCount;
    private bool _waiting;
    private bool _completed;

    // The hub's heartbeat tick when something was last queued for this client.
    private long _lastActiveTick;

    internal Subscriber(EventHub hub, ulong topicMask, int topicCount, SseFormat format, int maxQueuedStreamEvents, Action? onOverflow)
    {
        _hub = hub;
        _onOverflow = onOverflow;
        TopicMask = topicMask;
        Format = format;
        _maxQueuedStreamEvents = maxQueuedStreamEvents;
        _pendingStateSlot = new int[topicCount];
        Array.Fill(_pendingStateSlot, -1);
        _lastActiveTick = hub.HeartbeatTicks;
    }

    public SseFormat Format { get; }

    internal ulong TopicMask { get; }

    /// <summary>Position in the hub's subscriber list, for O(1) removal.</summary>
    internal int Slot { get; set; } = -1;

    /// <summary>True once the queue overflowed: the connection must end so the client resumes by replay.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Queues an event; false when this subscriber has fallen too far behind and was completed.</summary>
    internal bool Enqueue(SseEvent e)
    {
        bool wake;
        lock (_lock)
        {
            if (_completed)
            {
                return !Overflowed;
            }

            if (e.Topic?.Kind == TopicKind.Stream && _pendingStreamCount >= _maxQueuedStreamEvents)
            {
                Overflowed = true;
                wake = CompleteLocked();
            }
            else
            {
                if (e.Topic?.Kind == TopicKind.Stream)
                {
                    _pendingStreamCount++;
                    Append(e);
                }
                else
                {
                    ref var slot = ref _pendingStateSlot[e.TopicIndex];
                    if (slot >= 0)
                    {
                        _pending[slot] = null;
                    }

                    Append(e);
                    slot = _pendingCount - 1;
                }

                _lastActiveTick = _hub.HeartbeatTicks;
                wake = _waiting;
                _waiting = false;
            }
        }

        if (wake)
        {
            _signal.SetResult(true);
        }

        return !Overflowed;
    }

    /// <summary>Queues a replay or snapshot ahead of live events; it does not count against the lag bound.</summary>
    internal void Preload(List<SseEvent> events)
    {
        lock (_lock)
        {
            foreach (var e in events)
            {
                Append(e);
                if (e.Topic?.Kind == TopicKind.State)
                {
                    _pendingStateSlot[e.TopicIndex] = _pendingCount - 1;
                }
            }
        }
    }

    internal void NotifyOverflow() => _onOverflow?.Invoke();

    /// <summary>Leaves the hub; called in the connection's finally.</summary>
    public void Dispose()
    {
        Complete();
        _hub.Remove(this);
    }

    /// <summary>
    /// Queues a heartbeat when nothing was queued for <paramref name="ticksPerBeat"/> ticks: with ticks a fraction of
    /// the interval apart, no connection goes quiet for longer than the interval, and an idle one gets one per interval.
    /// </summary>
    internal void HeartbeatIfIdle(long tick, int ticksPerBeat)
    {
        bool wake;
        lock (_lock)
        {
            if (_completed || _pendingCount > 0 || tick - _lastActiveTick < ticksPerBeat)
            {
                return;
            }

            Append(SseEvent.Heartbeat);
            _lastActiveTick = tick;
            wake = _waiting;
            _waiting = false;
        }

        if (wake)
        {
            _signal.SetResult(true);
        }
    }

    /// <summary>Ends the subscription; a waiting writer wakes, drains what is left and stops.</summary>
    public void Complete()
    {
        bool wake;
        lock (_lock)
        {
            wake = CompleteLocked();
        }

        if (wake)
        {
            _signal.SetResult(true);
        }
    }

    /// <summary>Slots the queue holds now; stays bounded however far behind the client is.</summary>
    internal int QueueCapacity
    {
        get
        {
            lock (_lock)
            {
                return _pending.Length;
            }
        }
    }

    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _completed;
            }
        }
    }

    /// <summary>Waits until events are queued (true) or the subscription has ended with nothing left (false).</summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (_lock)
        {
            if (_pendingCount > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            _signal.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _signal.Version);
        }
    }

    /// <summary>
    /// Takes every queued event, in id order (null entries are superseded state events). The segment stays valid
    /// until the next call; the single writer loop is its only reader.
    /// </summary>
    public ArraySegment<SseEvent?> TakeBatch()
    {
        lock (_lock)
        {
            Array.Clear(_draining);
            (_pending, _draining) = (_draining, _pending);
            var batch = new ArraySegment<SseEvent?>(_draining, 0, _pendingCount);
            _pendingCount = 0;
            _pendingStreamCount = 0;
            Array.Fill(_pendingStateSlot, -1);
            return batch;
        }
    }

    private bool CompleteLocked()
    {
        _completed = true;
        var wake = _waiting;
        _waiting = false;
        return wake;
    }

    private void Append(SseEvent e)
    {
        if (_pendingCount == _pending.Length)
        {
            if (!Compact())
            {
                Array.Resize(ref _pending, _pending.Length * 2);
            }
        }

        _pending[_pendingCount++] = e;
    }

    // Drops superseded (null) entries; the live ones stay bounded by the stream bound plus one per state topic.
    private bool Compact()
    {
        var write = 0;
        for (var read = 0; read < _pendingCount; read++)
        {
            var e = _pending[read];
            if (e is null)
            {
                continue;
            }

            if (e.Topic?.Kind == TopicKind.State)
            {
                _pendingStateSlot[e.TopicIndex] = write;
            }

            _pending[write++] = e;
        }

        Array.Clear(_pending, write, _pendingCount - write);
        var freed = write < _pendingCount;
        _pendingCount = write;
        return freed;
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _signal.OnCompleted(continuation, state, token, flags);
}
