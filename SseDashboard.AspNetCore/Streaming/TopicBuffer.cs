namespace SseDashboard.Streaming;

/// <summary>What the hub keeps of one topic: its newest event (per host) and, for a stream topic, the replay ring.</summary>
internal sealed class TopicBuffer(Topic topic, int index, int replayCapacity, long evictedUpTo)
{
    private readonly ReplayRing<SseEvent> _ring = new(topic.Kind == TopicKind.Stream ? replayCapacity : 0);

    public Topic Topic { get; } = topic;

    public int Index { get; } = index;

    public ulong Mask { get; } = 1UL << index;

    // A state topic's newest event of each host (of "" for one not per host).
    private readonly Dictionary<string, SseEvent> _newestByHost = new(StringComparer.Ordinal);

    /// <summary>The newest id this stream topic no longer retains; resuming from before it needs a reset.</summary>
    public long EvictedUpTo
    {
        get => Volatile.Read(ref _evictedUpTo);
        private set => Volatile.Write(ref _evictedUpTo, value);
    }

    private long _evictedUpTo = evictedUpTo;

    public (object Payload, byte[] Html, byte[] Json)? ResetData { get; set; }

    /// <summary>
    /// Starts the ring with the store's newest events (oldest first), at start; <paramref name="storedUpTo"/> is the
    /// store's newest id, after which nothing was published before this run. Resuming from before the first of them
    /// goes to the store: the id just before it may have been another topic's.
    /// </summary>
    public void Preload(SseEvent[] events, long storedUpTo)
    {
        foreach (var e in events)
        {
            Retain(e);
        }

        EvictedUpTo = events.Length > 0 ? Math.Min(storedUpTo, events[0].Id - 1) : storedUpTo;
    }

    public void Retain(SseEvent e)
    {
        if (Topic.Kind == TopicKind.State)
        {
            _newestByHost[e.Host ?? ""] = e;
            return;
        }

        if (_ring.Add(e, out var evicted))
        {
            EvictedUpTo = Math.Max(EvictedUpTo, evicted!.Id);
        }
    }

    /// <summary>Events up to <paramref name="upTo"/> never reached this hub: a resume from before it is not honoured.</summary>
    public void Lose(long upTo) => EvictedUpTo = Math.Max(EvictedUpTo, upTo);

    /// <summary>State: each host's newest event; stream: the ring; oldest first.</summary>
    public SseEvent[] Retained() =>
        Topic.Kind == TopicKind.State ? _newestByHost.Values.OrderBy(e => e.Id).ToArray() : _ring.ToArray();

    /// <summary>What <see cref="Retained()"/> holds of <paramref name="hosts"/> (null: all).</summary>
    public SseEvent[] Retained(IReadOnlySet<string>? hosts) =>
        hosts is null ? Retained() : Retained().Where(e => Subscription.IsFor(hosts, e)).ToArray();
}

/// <summary>Retained events per topic name, current as of <paramref name="LastEventId"/>.</summary>
public sealed record HubSnapshot(long LastEventId, IReadOnlyDictionary<string, IReadOnlyList<SseEvent>> Events);
