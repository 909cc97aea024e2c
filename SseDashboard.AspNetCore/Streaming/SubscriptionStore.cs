namespace SseDashboard.Streaming;

/// <summary>
/// The live subscriptions, in the role of SignalR's <c>HubConnectionStore</c>: each owns a slot in one list (O(1)
/// removal, allocation-free fan-out); fan-out, heartbeats, stall checks and shutdown walk them under one lock, and
/// nothing is added once the store is completed.
/// </summary>
internal sealed class SubscriptionStore
{
    private readonly Lock _lock = new();
    private readonly List<Subscription> _subscriptions = [];
    private bool _completed;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _subscriptions.Count;
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

            subscription.Slot = _subscriptions.Count;
            _subscriptions.Add(subscription);
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

            var last = _subscriptions[^1];
            _subscriptions[slot] = last;
            last.Slot = slot;
            _subscriptions.RemoveAt(_subscriptions.Count - 1);
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
            foreach (var subscription in _subscriptions)
            {
                if ((subscription.TopicMask & anyTopic) == 0)
                {
                    continue;
                }

                var queue = subscription.Queue;
                foreach (var e in events)
                {
                    if (!subscription.Wants(e))
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
            foreach (var subscription in _subscriptions)
            {
                subscription.Queue.HeartbeatTick(ticksPerBeat, out var wake);
                if (wake)
                {
                    WakeBatch.Add(ref woken, subscription.Queue);
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
            foreach (var subscription in _subscriptions)
            {
                if (subscription.IsStalled(now, limit))
                {
                    (stalled ??= []).Add(subscription);
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
            all = [.. _subscriptions];
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
            return _subscriptions.Sum(s => (long)s.Queue.Count);
        }
    }

    /// <summary>Completes every subscription and refuses new ones (at shutdown).</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            foreach (var subscription in _subscriptions)
            {
                subscription.Complete();
            }
        }
    }
}
