using System.Text;
using Microsoft.Extensions.Options;
using SseDashboard.Fleet;

namespace SseDashboard.Streaming;

/// <summary>
/// The in-process hub: assigns ids, renders and frames each event once, keeps each topic's newest event and replay
/// ring, and fans events out to the subscriptions.
/// </summary>
public sealed class EventHub : IEventPublisher
{
    /// <summary>How many heartbeat ticks make one heartbeat interval.</summary>
    public const int HeartbeatTicksPerInterval = 4;

    /// <summary>How long writers get to drain after <see cref="Complete"/> before their connections are aborted.</summary>
    public static readonly TimeSpan DrainGrace = TimeSpan.FromMilliseconds(500);

    // Serialises publish and subscribe, so a new subscription's snapshot and its live events meet with no gap or duplicate.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SubscriptionStore _subscriptions = new();
    private readonly TopicBuffer[] _topics;
    private readonly Dictionary<string, TopicBuffer> _topicsByName = new(StringComparer.OrdinalIgnoreCase);
    private readonly IEventRenderer _renderer;
    private readonly IEventHistory _history;
    private readonly TimeProvider _timeProvider;
    private readonly SseOptions _options;
    private readonly CancellationTokenSource _drainDeadline;

    // This node's host: what is published here without a host is about it.
    private readonly string? _host;

    // Each host's number (from 1; 0 is no host), for the state topics' coalescing slots: one per topic and host.
    private readonly Dictionary<string, int> _hostSlots = new(StringComparer.Ordinal);
    private readonly Lock _hostSlotsLock = new();
    private long _lastId;

    // Ids from here on are ones this hub can place: its own run's, or with a history store any older one it holds.
    private long _knownFrom;

    public EventHub(
        IEnumerable<Topic> topics,
        IEventRenderer renderer,
        IOptions<SseOptions> options,
        TimeProvider timeProvider,
        IEventHistory? history = null,
        IOptions<NodeOptions>? node = null)
    {
        _host = node?.Value.HostName;
        _renderer = renderer;
        _history = history ?? new NoEventHistory();
        _timeProvider = timeProvider;
        _options = options.Value;
        _drainDeadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);

        // Ids start from the start time (µs since the Unix epoch), so ids keep increasing across restarts and an id
        // from an earlier run is recognised as one this hub cannot honour.
        _lastId = timeProvider.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        FirstId = _lastId + 1;
        _knownFrom = FirstId - 1;

        _topics = topics.Select((t, i) => new TopicBuffer(t, i, _options.ReplayCapacity, FirstId - 1)).ToArray();
        if (_topics.Length > 64)
        {
            throw new InvalidOperationException("The hub supports at most 64 topics.");
        }

        foreach (var buffer in _topics)
        {
            if (!_topicsByName.TryAdd(buffer.Topic.Name, buffer))
            {
                throw new InvalidOperationException($"Topic '{buffer.Topic.Name}' is registered twice.");
            }
        }

        Topics = Array.AsReadOnly(_topics.Select(t => t.Topic).ToArray());
    }

    public IReadOnlyList<Topic> Topics { get; }

    /// <summary>
    /// Cancelled <see cref="DrainGrace"/> after <see cref="Complete"/>: a writer still running then is stuck on a client
    /// that stopped reading, and its connection is aborted so shutdown does not wait for it.
    /// </summary>
    public CancellationToken DrainDeadline => _drainDeadline.Token;

    /// <summary>The id the first event published by this run gets (the first one's last, for a topic counting items).</summary>
    public long FirstId { get; private set; }

    /// <summary>The id of the newest published event (<see cref="FirstId"/> - 1 before any).</summary>
    public long LastEventId => Volatile.Read(ref _lastId);

    /// <summary>When the newest event was published (null before any).</summary>
    public DateTimeOffset? LastPublishedAt { get; private set; }

    public bool IsCompleted => _subscriptions.IsCompleted;

    public int SubscriberCount => _subscriptions.Count;

    /// <summary>The hosts this hub has had events of, in the order they first came.</summary>
    public IReadOnlyList<string> Hosts
    {
        get
        {
            lock (_hostSlotsLock)
            {
                return _hostSlots.OrderBy(h => h.Value).Select(h => h.Key).ToArray();
            }
        }
    }

    public bool TryGetTopic(string name, out Topic topic)
    {
        var found = _topicsByName.TryGetValue(name, out var buffer);
        topic = buffer?.Topic!;
        return found;
    }

    /// <summary>
    /// Opens the history store, before anything is published: ids go on after the newest it holds, and the stream
    /// topics' rings start with its newest events, so a restart neither reuses an id nor empties the page. The start
    /// time (µs since the Unix epoch) stays the floor: events handed out but not yet stored when the last run ended
    /// keep their ids.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var streams = _topics.Where(b => b.Topic.Kind == TopicKind.Stream).ToArray();
        var start = await _history.OpenAsync(streams.Select(b => b.Topic).ToArray(), _options.ReplayCapacity, cancellationToken);
        var recent = new List<(TopicBuffer Buffer, SseEvent[] Events)>();
        foreach (var buffer in streams)
        {
            recent.Add((buffer, await FrameStoredAsync(buffer, start.Recent.GetValueOrDefault(buffer.Topic, []))));
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_lastId >= FirstId)
            {
                throw new InvalidOperationException("The hub was started after it published.");
            }

            if (_history.NumbersEvents)
            {
                // The store numbers every event: this hub publishes what it reads from there, after its newest now
                // (or, when the store could not be read, after the first it reads once it can).
                _lastId = start.NewestId;
                FirstId = _lastId + 1;
                _knownFrom = (start.OldestId ?? FirstId) - 1;
                foreach (var (buffer, events) in recent)
                {
                    buffer.Preload(events, start.NewestId);
                }

                return;
            }

            if (start.OldestId is not { } oldest)
            {
                return; // an empty store: nothing before this run to place
            }

            _lastId = Math.Max(_lastId, start.NewestId);
            FirstId = _lastId + 1;
            _knownFrom = oldest - 1;
            foreach (var (buffer, events) in recent)
            {
                buffer.Preload(events, start.NewestId);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<SseEvent> PublishAsync<T>(Topic<T> topic, T payload, CancellationToken cancellationToken = default)
        where T : notnull =>
        (await PublishAllAsync([topic.With(payload)], cancellationToken))[0];

    /// <summary>
    /// Publishes events the hub numbers, fans them out and hands them to the store. Not in a fleet, whose store numbers
    /// events: there they are published through the fleet's <see cref="IEventPublisher"/>, to the store first.
    /// </summary>
    public ValueTask<IReadOnlyList<SseEvent>> PublishAllAsync(IReadOnlyList<Publication> publications, CancellationToken cancellationToken = default) =>
        _history.NumbersEvents
            ? throw new InvalidOperationException("The store numbers this hub's events: publish through IEventPublisher, which stores them first.")
            : PublishAsync(publications.Select(p => (p.About(_host), (long?)null)).ToArray(), numbered: true, cancellationToken);

    /// <summary>
    /// Publishes events numbered by a store that hands out ids (a fleet's), in id order; ones at or before the newest
    /// published are left out (a reader that read them twice).
    /// </summary>
    public ValueTask<IReadOnlyList<SseEvent>> PublishStoredAsync(IReadOnlyList<(Publication Publication, long Id)> stored, CancellationToken cancellationToken = default) =>
        PublishAsync(stored.Select(s => (s.Publication, (long?)s.Id)).ToArray(), numbered: true, cancellationToken);

    /// <summary>
    /// Marks the events up to <paramref name="upTo"/> as ones this hub will never have (a fleet store's, trimmed before
    /// they were read, or from before a node that could not read the store at start): a resume from before them goes
    /// to the store, or gets the reset, instead of quietly skipping them.
    /// </summary>
    public async ValueTask LoseAsync(long upTo, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var buffer in _topics.Where(b => b.Topic.Kind == TopicKind.Stream))
            {
                buffer.Lose(upTo);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Publishes events that take no id (sent with no <c>id:</c> field, so a client's Last-Event-ID stays put): in a fleet,
    /// the node's own clock, which is not stored.
    /// </summary>
    public ValueTask<IReadOnlyList<SseEvent>> PublishUnnumberedAsync(IReadOnlyList<Publication> publications, CancellationToken cancellationToken = default) =>
        PublishAsync(publications.Select(p => (p.About(_host), (long?)null)).ToArray(), numbered: false, cancellationToken);

    async ValueTask IEventPublisher.PublishAsync<T>(Topic<T> topic, T payload, CancellationToken cancellationToken) =>
        await PublishAllAsync([topic.With(payload)], cancellationToken);

    async ValueTask IEventPublisher.PublishAllAsync(IReadOnlyList<Publication> publications, CancellationToken cancellationToken) =>
        await PublishAllAsync(publications, cancellationToken);

    // Given ids are a store's (nothing to hand to it); without, the hub numbers the events and the store gets them.
    private async ValueTask<IReadOnlyList<SseEvent>> PublishAsync(
        (Publication Publication, long? Id)[] publications, bool numbered, CancellationToken cancellationToken)
    {
        // Rendering happens before the gate: it is the slow part, and needs no id.
        var rendered = new (TopicBuffer Buffer, object Payload, long? Id, byte[] Html, byte[] Json)[publications.Length];
        for (var i = 0; i < rendered.Length; i++)
        {
            var ((topic, payload), id) = publications[i];
            if (!topic.PayloadType.IsInstanceOfType(payload))
            {
                throw new ArgumentException($"Topic '{topic.Name}' takes {topic.PayloadType.Name}, not {payload.GetType().Name}.", nameof(publications));
            }

            var (html, json) = await RenderAsync(topic, payload);
            rendered[i] = (BufferOf(topic), payload, id, html, json);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var events = new List<SseEvent>(rendered.Length);
            var given = false;
            foreach (var (buffer, payload, storedId, html, json) in rendered)
            {
                given |= storedId is not null;
                if (storedId <= _lastId)
                {
                    continue;
                }

                var id = numbered ? storedId ?? _lastId + buffer.Topic.IdCount(payload) : _lastId;
                var e = await FrameAsync(buffer, numbered ? id : null, payload, html, json);
                events.Add(e);
                if (numbered || buffer.Topic.Kind == TopicKind.State)
                {
                    // A stream's ring keeps what a resume can place: an unnumbered item comes back numbered.
                    buffer.Retain(e);
                }
                Volatile.Write(ref _lastId, id);
            }

            LastPublishedAt = _timeProvider.GetUtcNow();
            var published = events.ToArray();
            _subscriptions.FanOut(published);
            if (numbered && !given)
            {
                _history.Append(published);
            }

            return published;
        }
        finally
        {
            _gate.Release();
        }
    }

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
        var stored = await ReadStoredAsync(buffers, lastEventId, hosts, cancellationToken);

        await _gate.WaitAsync(cancellationToken);
        try
        {
            subscription.Queue.Preload(await CatchUpAsync(buffers, lastEventId, hosts, stored));
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

    // Before the gate (a store read can be slow, and publishers must not wait for it): what the history store holds
    // after lastEventId of each stream topic whose ring no longer reaches back that far, rendered and framed.
    private async ValueTask<Dictionary<TopicBuffer, (SseEvent[] Events, long UpTo)>> ReadStoredAsync(
        TopicBuffer[] buffers, long? lastEventId, IReadOnlySet<string>? hosts, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<TopicBuffer, (SseEvent[], long)>();
        if (lastEventId is not { } after || after < _knownFrom || after > LastEventId)
        {
            return stored;
        }

        foreach (var buffer in buffers.Where(b => b.Topic.Kind == TopicKind.Stream && after < b.EvictedUpTo))
        {
            if (await _history.ReadAfterAsync(buffer.Topic, after, LastEventId, hosts, _options.MaxReplayLines, cancellationToken) is { } read)
            {
                stored[buffer] = (await FrameStoredAsync(buffer, read.Events), read.UpTo);
            }
        }

        return stored;
    }

    private async ValueTask<SseEvent[]> FrameStoredAsync(TopicBuffer buffer, IReadOnlyList<StoredEvent> stored)
    {
        var events = new SseEvent[stored.Count];
        for (var i = 0; i < events.Length; i++)
        {
            var (html, json) = await RenderAsync(buffer.Topic, stored[i].Payload);
            events[i] = await FrameAsync(buffer, stored[i].Id, stored[i].Payload, html, json);
        }

        return events;
    }

    // Under the gate: the events a subscription after lastEventId is missing, in id order, resets first. A stream
    // topic's ring honours an id it still reaches back to; the store's events honour an older one when they reach up
    // to where the ring begins (ring events the store also had are left out).
    private async ValueTask<List<SseEvent>> CatchUpAsync(
        TopicBuffer[] buffers, long? lastEventId, IReadOnlySet<string>? hosts, Dictionary<TopicBuffer, (SseEvent[] Events, long UpTo)> stored)
    {
        var idKnown = lastEventId is { } known && known >= _knownFrom && known <= _lastId;
        var snapshot = new List<SseEvent>();
        var resets = new List<TopicBuffer>();
        foreach (var buffer in buffers)
        {
            if (buffer.Topic.Kind == TopicKind.State)
            {
                snapshot.AddRange(buffer.Retained(hosts).Where(newest => !idKnown || newest.Id > lastEventId));

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
        var resetId = snapshot.Count > 0 ? snapshot[0].Id - snapshot[0].Topic!.IdCount(snapshot[0].Payload!) : _lastId;
        if (idKnown)
        {
            resetId = Math.Max(resetId, lastEventId!.Value);
        }

        var catchUp = new List<SseEvent>(resets.Count + snapshot.Count);
        foreach (var buffer in resets)
        {
            catchUp.Add(await CreateResetAsync(buffer, resetId));
        }

        catchUp.AddRange(snapshot);
        return catchUp;
    }

    private async ValueTask<SseEvent> CreateResetAsync(TopicBuffer buffer, long id)
    {
        if (buffer.ResetData is null)
        {
            var payload = buffer.Topic.CreateResetPayload(_timeProvider.GetUtcNow())
                ?? throw new InvalidOperationException($"Stream topic '{buffer.Topic.Name}' has no reset payload.");
            var (html, json) = await RenderAsync(buffer.Topic, payload);
            buffer.ResetData = (payload, html, json);
        }

        var reset = buffer.ResetData.Value;
        return await FrameAsync(buffer, id, reset.Payload, reset.Html, reset.Json);
    }

    private async ValueTask<(byte[] Html, byte[] Json)> RenderAsync(Topic topic, object payload) =>
        (Encoding.UTF8.GetBytes(await _renderer.RenderHtmlAsync(topic, payload)), _renderer.RenderJson(topic, payload));

    /// <summary>
    /// The event as every subscriber gets it: framed once per format. Unnumbered (no <paramref name="id"/>), it has no
    /// <c>id:</c> field and sorts with the newest id.
    /// </summary>
    private async ValueTask<SseEvent> FrameAsync(TopicBuffer buffer, long? id, object payload, byte[] html, byte[] json)
    {
        var host = buffer.Topic.HostOf(payload);
        return new(
            id ?? _lastId,
            buffer.Topic,
            buffer.Index,
            payload,
            await SseFraming.EncodeAsync(buffer.Topic.Name, id, html),
            await SseFraming.EncodeAsync(buffer.Topic.Name, id, json),
            _timeProvider.GetTimestamp(),
            host,
            HostSlot(host) * _topics.Length + buffer.Index);
    }

    private int HostSlot(string? host)
    {
        if (host is null)
        {
            return 0;
        }

        lock (_hostSlotsLock)
        {
            if (!_hostSlots.TryGetValue(host, out var slot))
            {
                _hostSlots[host] = slot = _hostSlots.Count + 1;
            }

            return slot;
        }
    }

    private TopicBuffer BufferOf(Topic topic) =>
        _topicsByName.TryGetValue(topic.Name, out var buffer) && ReferenceEquals(buffer.Topic, topic)
            ? buffer
            : throw new ArgumentException($"Topic '{topic.Name}' is not registered with the hub.", nameof(topic));
}
