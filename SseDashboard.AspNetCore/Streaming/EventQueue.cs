namespace SseDashboard.Streaming;

/// <summary>
/// One connection's bounded queue. State events coalesce (a pending one is replaced by the newest, which moves to
/// the back so ids stay increasing); stream events queue, and a queue more than the bound behind overflows.
/// A hand-written queue because a Channel can neither replace a pending item nor stay bounded while coalescing.
/// </summary>
public sealed partial class EventQueue
{
    private readonly Lock _lock = new();
    private readonly int _maxQueuedStreamEvents;
    private int[] _pendingStateSlot;
    private SseEvent?[] _pending = new SseEvent?[4];
    private SseEvent?[] _draining = new SseEvent?[4];
    private int _pendingCount;
    private int _pendingStreamCount;
    private int _idleTicks;
    private bool _waiting;
    private bool _completed;

    /// <param name="topicCount">How many topics the hub has: one coalescing slot each (per host: more as hosts appear).</param>
    /// <param name="maxQueuedStreamEvents">Stream events the reader may fall behind before the queue overflows.</param>
    public EventQueue(int topicCount, int maxQueuedStreamEvents)
    {
        _maxQueuedStreamEvents = maxQueuedStreamEvents;
        _pendingStateSlot = new int[topicCount];
        Array.Fill(_pendingStateSlot, -1);
    }

    /// <summary>True once the queue overflowed: the connection must end so the client resumes by replay.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Slots the queue holds now; stays bounded however far behind the reader is.</summary>
    public int Capacity
    {
        get
        {
            lock (_lock)
            {
                return _pending.Length;
            }
        }
    }

    /// <summary>Entries waiting for the writer (superseded state events included until compacted).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pendingCount;
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

    /// <summary>
    /// Queues an event; false when this event found the reader too far behind, so the queue overflowed and completed
    /// (once: a queue already completed takes nothing more and reports nothing new).
    /// </summary>
    public bool Enqueue(SseEvent e)
    {
        var accepted = Enqueue(e, out var wake);
        Signal(wake);
        return accepted;
    }

    /// <summary>
    /// Queues an event as <see cref="Enqueue(SseEvent)"/> does, without waking the writer: when <paramref name="wake"/>
    /// is true the caller must call <see cref="Wake"/> once (a fan-out wakes its writers in batches).
    /// </summary>
    internal bool Enqueue(SseEvent e, out bool wake)
    {
        lock (_lock)
        {
            if (_completed)
            {
                wake = false;
                return true;
            }

            if (e.Topic?.Kind == TopicKind.Stream && _pendingStreamCount >= _maxQueuedStreamEvents)
            {
                Overflowed = true;
                wake = CompleteLocked();
                return false;
            }

            if (e.Topic?.Kind == TopicKind.Stream)
            {
                _pendingStreamCount++;
                Append(e);
            }
            else
            {
                ref var slot = ref SlotOf(e);
                if (slot >= 0)
                {
                    _pending[slot] = null;
                }

                Append(e);
                slot = _pendingCount - 1;
            }

            _idleTicks = 0;
            wake = WakeLocked();
            return true;
        }
    }

    /// <summary>Queues a replay or snapshot ahead of live events; it does not count against the lag bound.</summary>
    public void Preload(IEnumerable<SseEvent> events)
    {
        lock (_lock)
        {
            foreach (var e in events)
            {
                Append(e);
                if (e.Topic?.Kind == TopicKind.State)
                {
                    SlotOf(e) = _pendingCount - 1;
                }
            }
        }
    }

    /// <summary>
    /// One heartbeat tick: queues a heartbeat once nothing was queued for <paramref name="ticksPerBeat"/> ticks. With
    /// ticks a fraction of the interval apart, no connection goes quiet for longer than the interval.
    /// </summary>
    public void HeartbeatTick(int ticksPerBeat)
    {
        HeartbeatTick(ticksPerBeat, out var wake);
        Signal(wake);
    }

    /// <summary>A heartbeat tick that leaves the writer's wake to the caller, as <see cref="Enqueue(SseEvent, out bool)"/> does.</summary>
    internal void HeartbeatTick(int ticksPerBeat, out bool wake)
    {
        lock (_lock)
        {
            if (_completed || ++_idleTicks < ticksPerBeat || _pendingCount > 0)
            {
                wake = false;
                return;
            }

            Append(SseEvent.Heartbeat);
            _idleTicks = 0;
            wake = WakeLocked();
        }
    }

    /// <summary>Ends the queue; a waiting reader wakes, drains what is left and stops.</summary>
    public void Complete()
    {
        bool wake;
        lock (_lock)
        {
            wake = CompleteLocked();
        }

        Signal(wake);
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

    private ref int SlotOf(SseEvent e)
    {
        if (e.StateSlot >= _pendingStateSlot.Length)
        {
            var grown = new int[Math.Max(e.StateSlot + 1, _pendingStateSlot.Length * 2)];
            Array.Fill(grown, -1);
            _pendingStateSlot.CopyTo(grown, 0);
            _pendingStateSlot = grown;
        }

        return ref _pendingStateSlot[e.StateSlot];
    }

    private bool CompleteLocked()
    {
        _completed = true;
        return WakeLocked();
    }

    private bool WakeLocked()
    {
        var wake = _waiting;
        _waiting = false;
        return wake;
    }

    private void Append(SseEvent e)
    {
        if (_pendingCount == _pending.Length && !Compact())
        {
            Array.Resize(ref _pending, _pending.Length * 2);
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
                SlotOf(e) = write;
            }

            _pending[write++] = e;
        }

        Array.Clear(_pending, write, _pendingCount - write);
        var freed = write < _pendingCount;
        _pendingCount = write;
        return freed;
    }
}
