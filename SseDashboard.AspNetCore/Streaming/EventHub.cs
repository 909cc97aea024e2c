using Microsoft.Extensions.Options;

namespace SseDashboard.Streaming;

/// <summary>
/// The in-process hub: assigns ids, renders and frames each event once, keeps each topic's newest event and replay
/// ring, and fans events out to the subscriptions.
/// </summary>
public sealed partial class EventHub : IEventPublisher
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
    private readonly EventFramer _framer;
    private readonly CatchUp _catchUp;
    private readonly IEventHistory _history;
    private readonly TimeProvider _timeProvider;
    private readonly SseOptions _options;
    private readonly CancellationTokenSource _drainDeadline;

    // This node's host: what is published here without a host is about it.
    private readonly string? _host;

    private long _lastId;

    // Ids from here on are ones this hub can place: its own run's, or with a history store any older one it holds.
    private long _knownFrom;

    public EventHub(
        IEnumerable<Topic> topics,
        IEventRenderer renderer,
        IOptions<SseOptions> options,
        TimeProvider timeProvider,
        IEventHistory? history = null,
        LocalHost? localHost = null)
    {
        _host = localHost?.Name;
        _history = history ?? new NoEventHistory();
        _timeProvider = timeProvider;
        _options = options.Value;
        _drainDeadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        // One registration for all streams, not one each (a callback node per stream for its life).
        _drainDeadline.Token.Register(_subscriptions.AbortAll);

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
        _framer = new EventFramer(renderer, timeProvider, _topics.Length);
        _catchUp = new CatchUp(_history, _framer, timeProvider, _options.MaxReplayLines);
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
    public IReadOnlyList<string> Hosts => _framer.Hosts;

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
            recent.Add((buffer, await _framer.FrameStoredAsync(buffer, start.Recent.GetValueOrDefault(buffer.Topic, []))));
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

            var (html, json) = await _framer.RenderAsync(topic, payload);
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
                var e = await _framer.FrameAsync(buffer, id, numbered, payload, html, json);
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

    private TopicBuffer BufferOf(Topic topic) =>
        _topicsByName.TryGetValue(topic.Name, out var buffer) && ReferenceEquals(buffer.Topic, topic)
            ? buffer
            : throw new ArgumentException($"Topic '{topic.Name}' is not registered with the hub.", nameof(topic));
}
