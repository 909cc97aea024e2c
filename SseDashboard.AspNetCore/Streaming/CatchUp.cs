namespace SseDashboard.Streaming;

/// <summary>
/// What a subscription after a Last-Event-ID is missing: from each stream topic's ring while it reaches back that far,
/// else from the history store, else a snapshot after a reset; for state topics, each newest value not yet seen.
/// </summary>
internal sealed class CatchUp(IEventHistory history, EventFramer framer, TimeProvider timeProvider, int maxReplayLines)
{
    /// <summary>
    /// Before the hub's gate (a store read can be slow, and publishers must not wait for it): what the store holds after
    /// <paramref name="lastEventId"/> of each stream topic whose ring no longer reaches back that far, framed.
    /// </summary>
    /// <param name="knownFrom">Ids after this one are ones the hub can place.</param>
    /// <param name="newest">The hub's newest id.</param>
    public async ValueTask<Dictionary<TopicBuffer, (SseEvent[] Events, long UpTo)>> ReadStoredAsync(
        TopicBuffer[] buffers, long? lastEventId, IReadOnlySet<string>? hosts, long knownFrom, long newest, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<TopicBuffer, (SseEvent[], long)>();
        if (lastEventId is not { } after || after < knownFrom || after > newest)
        {
            return stored;
        }

        foreach (var buffer in buffers.Where(b => b.Topic.Kind == TopicKind.Stream && after < b.EvictedUpTo))
        {
            if (await history.ReadAfterAsync(buffer.Topic, after, newest, hosts, maxReplayLines, cancellationToken) is { } read)
            {
                stored[buffer] = (await framer.FrameStoredAsync(buffer, read.Events), read.UpTo);
            }
        }

        return stored;
    }

    /// <summary>
    /// Under the hub's gate: the events in id order, resets first. A stream topic's ring honours an id it still reaches
    /// back to; the store's events honour an older one when they reach up to where the ring begins (ring events the
    /// store also had are left out).
    /// </summary>
    public async ValueTask<List<SseEvent>> BuildAsync(
        TopicBuffer[] buffers,
        long? lastEventId,
        IReadOnlySet<string>? hosts,
        Dictionary<TopicBuffer, (SseEvent[] Events, long UpTo)> stored,
        long knownFrom,
        long newest)
    {
        var idKnown = lastEventId is { } known && known >= knownFrom && known <= newest;
        var snapshot = new List<SseEvent>();
        var resets = new List<TopicBuffer>();
        foreach (var buffer in buffers)
        {
            if (buffer.Topic.Kind == TopicKind.State)
            {
                snapshot.AddRange(buffer.Retained(hosts).Where(e => !idKnown || e.Id > lastEventId));
                continue;
            }

            var honour = idKnown && lastEventId >= buffer.EvictedUpTo;
            if (idKnown && !honour && stored.TryGetValue(buffer, out var read) && read.UpTo >= buffer.EvictedUpTo)
            {
                snapshot.AddRange(read.Events);
                snapshot.AddRange(buffer.Retained(hosts).Where(e => e.Id > read.UpTo));
                continue;
            }

            if (lastEventId is not null && !honour)
            {
                resets.Add(buffer);
            }

            snapshot.AddRange(buffer.Retained(hosts).Where(e => !honour || e.Id > lastEventId));
        }

        snapshot.Sort(static (a, b) => a.Id.CompareTo(b.Id));

        // A reset carries the id just before the snapshot (before all of its first event's ids: a log batch takes one per
        // line), so a client cut off right after it replays the snapshot; never below an id honoured for other topics.
        var resetId = snapshot.Count > 0 ? snapshot[0].Id - snapshot[0].Topic!.IdCount(snapshot[0].Payload!) : newest;
        if (idKnown)
        {
            resetId = Math.Max(resetId, lastEventId!.Value);
        }

        var catchUp = new List<SseEvent>(resets.Count + snapshot.Count);
        foreach (var buffer in resets)
        {
            catchUp.Add(await ResetAsync(buffer, resetId));
        }

        catchUp.AddRange(snapshot);
        return catchUp;
    }

    private async ValueTask<SseEvent> ResetAsync(TopicBuffer buffer, long id)
    {
        if (buffer.ResetData is null)
        {
            var payload = buffer.Topic.CreateResetPayload(timeProvider.GetUtcNow())
                ?? throw new InvalidOperationException($"Stream topic '{buffer.Topic.Name}' has no reset payload.");
            var (html, json) = await framer.RenderAsync(buffer.Topic, payload);
            buffer.ResetData = (payload, html, json);
        }

        var reset = buffer.ResetData.Value;
        return await framer.FrameAsync(buffer, id, numbered: true, reset.Payload, reset.Html, reset.Json);
    }
}
