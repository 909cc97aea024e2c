namespace SseDashboard.Streaming;

/// <summary>
/// The live subscriptions, in the role of SignalR's <c>HubConnectionStore</c>: each owns a slot in one list (O(1)
/// removal, allocation-free fan-out); fan-out, heartbeats, stall checks and shutdown walk them under one lock, and
/// nothing is added once the store is completed.
/// </summary>
internal sealed class SubscriptionStore
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];
    private bool _completed;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
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

    /// <summary>Stores the subscription; once the store is completed it completes the subscription instead.</summary>
    public void Add(Subscription subscription)
    {
        lock (_lock)
        {
            if (_completed)
            {
                subscription.Complete();
                return;
            }

            subscription.Slot = _entries.Count;
            _entries.Add(new(subscription, subscription.Queue, subscription.TopicMask));
        }
    }

    public void Remove(Subscription subscription)
    {
        lock (_lock)
        {
            var slot = subscription.Slot;
            if (slot < 0)
            {
                return;
            }

            var last = _entries[^1];
            _entries[slot] = last;
            last.Subscription.Slot = slot;
            _entries.RemoveAt(_entries.Count - 1);
            subscription.Slot = -1;
        }
    }

    /// <summary>
    /// Queues the events to every subscription that wants them, all of them in one pass so a writer finds them
    /// together (one write). Waiting writers are woken in batches (<see cref="WakeBatch"/>), the first starting while
    /// the pass goes on. A subscription whose queue overflows is told so after the lock is let go. An array, not a
    /// list interface: this runs for every subscription on every publish, and foreach over an interface allocates.
    /// </summary>
    public void FanOut(SseEvent[] events)
    {
        var anyTopic = 0UL;
        foreach (var e in events)
        {
            anyTopic |= 1UL << e.TopicIndex;
        }

        List<Subscription>? overflowed = null;
        WakeBatch? woken = null;
        lock (_lock)
        {
            foreach (var (subscription, queue, topicMask) in _entries)
            {
                if ((topicMask & anyTopic) == 0)
                {
                    continue;
                }

                foreach (var e in events)
                {
                    // An event of no host (the clock, or any outside a fleet) is decided without reading the subscription.
                    if ((topicMask & (1UL << e.TopicIndex)) == 0 || (e.Host is not null && !Subscription.IsFor(subscription.Hosts, e)))
                    {
                        continue;
                    }

                    var accepted = queue.Enqueue(e, out var wake);
                    if (wake)
                    {
                        WakeBatch.Add(ref woken, queue);
                    }

                    if (!accepted)
                    {
                        (overflowed ??= []).Add(subscription);
                        break;
                    }
                }
            }
        }

        WakeBatch.Start(ref woken);
        // Outside the lock: ending a connection runs its abort callbacks.
        overflowed?.ForEach(s => s.Abort());
    }

    /// <summary>Queues a heartbeat to every subscription idle for a whole beat; their writers are woken in batches.</summary>
    public void HeartbeatTick(int ticksPerBeat)
    {
        WakeBatch? woken = null;
        lock (_lock)
        {
            foreach (var entry in _entries)
            {
                entry.Queue.HeartbeatTick(ticksPerBeat, out var wake);
                if (wake)
                {
                    WakeBatch.Add(ref woken, entry.Queue);
                }
            }
        }

        WakeBatch.Start(ref woken);
    }

    /// <summary>Aborts every subscription whose write has waited on its client for <paramref name="limit"/> or longer.</summary>
    public void AbortStalled(long now, long limit)
    {
        List<Subscription>? stalled = null;
        lock (_lock)
        {
            foreach (var entry in _entries)
            {
                if (entry.Subscription.IsStalled(now, limit))
                {
                    (stalled ??= []).Add(entry.Subscription);
                }
            }
        }

        stalled?.ForEach(s => s.AbortStalled());
    }

    /// <summary>Aborts every subscription's connection (a writer still stuck on its client past the drain deadline).</summary>
    public void AbortAll()
    {
        Subscription[] all;
        lock (_lock)
        {
            all = [.. _entries.Select(entry => entry.Subscription)];
        }

        // Outside the lock, as for a stall: a stream that ended meanwhile is not aborted (see Subscription.Abort).
        foreach (var subscription in all)
        {
            subscription.Abort();
        }
    }

    /// <summary>Entries queued for every subscription, not yet taken by their writers.</summary>
    public long QueuedEvents()
    {
        lock (_lock)
        {
            return _entries.Sum(entry => (long)entry.Queue.Count);
        }
    }

    /// <summary>Completes every subscription and refuses new ones (at shutdown).</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            foreach (var entry in _entries)
            {
                entry.Subscription.Complete();
            }
        }
    }

    /// <summary>
    /// A subscription beside what a fan-out reads of it: a pass over 10,000 reads these in order and, for an event of no
    /// host, touches only the queues it fills, not each subscription object as well (a cache miss per stream per event).
    /// </summary>
    private readonly record struct Entry(Subscription Subscription, EventQueue Queue, ulong TopicMask);
}
