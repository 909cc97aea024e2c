namespace SseDashboard.Streaming;

/// <summary>The hub's subscriber side: subscribing with what a client is missing, first paint, heartbeats, shutdown.</summary>
public sealed partial class EventHub
{
    /// <summary>
    /// Subscribes to <paramref name="topics"/>. The queue starts with what the client is missing: after
    /// <paramref name="lastEventId"/> when the hub can honour it, else a snapshot (state topics' newest, stream topics'
    /// retained events) with a reset first for each stream topic when an id was given but could not be honoured.
    /// </summary>
    /// <param name="hosts">Only these hosts' events of per-host topics (null: every host's).</param>
    public async ValueTask<Subscription> SubscribeAsync(
        IReadOnlyCollection<Topic> topics,
        SseFormat format,
        long? lastEventId,
        IReadOnlySet<string>? hosts = null,
        Action? abort = null,
        CancellationToken cancellationToken = default)
    {
        var buffers = topics.Select(BufferOf).Distinct().ToArray();
        var mask = buffers.Aggregate(0UL, (m, b) => m | b.Mask);
        var subscription = new Subscription(_subscriptions, mask, format, new EventQueue(_topics.Length, _options.MaxQueuedEvents), abort, hosts);
        var stored = await _catchUp.ReadStoredAsync(buffers, lastEventId, hosts, _knownFrom, LastEventId, cancellationToken);

        await _gate.WaitAsync(cancellationToken);
        try
        {
            subscription.Queue.Preload(await _catchUp.BuildAsync(buffers, lastEventId, hosts, stored, _knownFrom, _lastId));
            _subscriptions.Add(subscription);
            return subscription;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// What a page renders first: each topic's retained events (state: the newest; stream: the ring, oldest first) and
    /// the id they are current as of, taken atomically so a stream resumed from that id has no gap or duplicate.
    /// </summary>
    public async ValueTask<HubSnapshot> SnapshotAsync(
        IReadOnlyCollection<Topic> topics, IReadOnlySet<string>? hosts = null, CancellationToken cancellationToken = default)
    {
        var buffers = topics.Select(BufferOf).Distinct().ToArray();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var events = buffers.ToDictionary(b => b.Topic.Name, b => (IReadOnlyList<SseEvent>)b.Retained(hosts));
            return new HubSnapshot(_lastId, events);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Entries queued for all subscriptions, not yet written (superseded state events until compacted).</summary>
    public long QueuedEvents => _subscriptions.QueuedEvents();

    /// <summary>
    /// One heartbeat tick, called <see cref="HeartbeatTicksPerInterval"/> times per interval: every subscription that
    /// has had nothing queued for a whole interval gets a comment frame.
    /// </summary>
    public void Heartbeat() => _subscriptions.HeartbeatTick(HeartbeatTicksPerInterval);

    /// <summary>Aborts every connection whose write has waited on its client for <c>Dashboard:Sse:StallTimeout</c>.</summary>
    public void AbortStalled() =>
        _subscriptions.AbortStalled(_timeProvider.GetTimestamp(), (long)(_options.StallTimeout.TotalSeconds * _timeProvider.TimestampFrequency));

    /// <summary>Ends every subscription (at shutdown): writers drain what is queued and their responses end cleanly.</summary>
    public void Complete()
    {
        _subscriptions.Complete();
        _drainDeadline.CancelAfter(DrainGrace);
    }
}
