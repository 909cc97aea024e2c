using System.Text;
using Microsoft.Extensions.Options;

namespace SseDashboard.Streaming;

/// <summary>
/// The in-process hub: assigns ids, renders and encodes each event once, keeps replay buffers and fans events out to
/// every subscriber's own queue.
/// </summary>
public sealed class EventHub : IEventPublisher
{
    // Serialises publish and subscribe, so a new subscriber's snapshot and its live events meet with no gap or duplicate.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _subscribersLock = new();
    private readonly List<Subscriber> _subscribers = [];
    private readonly TopicState[] _topics;
    private readonly Dictionary<string, TopicState> _topicsByName = new(StringComparer.OrdinalIgnoreCase);
    private readonly IEventRenderer _renderer;
    private readonly TimeProvider _timeProvider;
    private readonly SseOptions _options;
    private readonly CancellationTokenSource _drainDeadline;
    private long _lastId;
    private long _heartbeatTicks;
    private bool _completed;

    public EventHub(IEnumerable<Topic> topics, IEventRenderer renderer, IOptions<DashboardOptions> options, TimeProvider timeProvider)
    {
        _renderer = renderer;
        _timeProvider = timeProvider;
        _options = options.Value.Sse;
        _drainDeadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);

        // Ids start from the start time (µs since the Unix epoch), so ids keep increasing across restarts and an id
        // from an earlier run is recognised as one this hub cannot honour.
        _lastId = timeProvider.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        FirstId = _lastId + 1;

        _topics = topics.Select((t, i) => new TopicState(t, i, _options.ReplayCapacity, FirstId - 1)).ToArray();
        if (_topics.Length > 64)
        {
            throw new InvalidOperationException("The hub supports at most 64 topics.");
        }

        Topics = Array.AsReadOnly(_topics.Select(t => t.Topic).ToArray());
        foreach (var state in _topics)
        {
            if (!_topicsByName.TryAdd(state.Topic.Name, state))
            {
                throw new InvalidOperationException($"Topic '{state.Topic.Name}' is registered twice.");
            }
        }
    }

    public IReadOnlyList<Topic> Topics { get; }

    /// <summary>How long writers get to drain after <see cref="Complete"/> before their connections are aborted.</summary>
    public static readonly TimeSpan DrainGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Cancelled <see cref="DrainGrace"/> after <see cref="Complete"/>: a writer still running then is stuck on a client
    /// that stopped reading, and its connection is aborted so shutdown does not wait for it.
    /// </summary>
    public CancellationToken DrainDeadline => _drainDeadline.Token;

    /// <summary>The id the first published event gets.</summary>
    public long FirstId { get; }

    /// <summary>The id of the newest published event (<see cref="FirstId"/> - 1 before any).</summary>
    public long LastEventId => Volatile.Read(ref _lastId);

    /// <summary>When the newest event was published (null before any).</summary>
    public DateTimeOffset? LastPublishedAt { get; private set; }

    public bool IsCompleted
    {
        get
        {
            lock (_subscribersLock)
            {
                return _completed;
            }
        }
    }

    public int SubscriberCount
    {
        get
        {
            lock (_subscribersLock)
            {
                return _subscribers.Count;
            }
        }
    }

    public bool TryGetTopic(string name, out Topic topic)
    {
        var found = _topicsByName.TryGetValue(name, out var state);
        topic = state?.Topic!;
        return found;
    }

    /// <summary>The newest retained event of a topic, if any was published.</summary>
    public SseEvent? Newest(Topic topic) => StateOf(topic).Newest;

    public async ValueTask<SseEvent> PublishAsync<T>(Topic<T> topic, T payload, CancellationToken cancellationToken = default)
        where T : notnull =>
        (await PublishAllAsync([topic.With(payload)], cancellationToken))[0];

    public async ValueTask<IReadOnlyList<SseEvent>> PublishAllAsync(IReadOnlyList<Publication> publications, CancellationToken cancellationToken = default)
    {
        var rendered = new (TopicState State, object Payload, byte[] Html, byte[] Json)[publications.Count];
        for (var i = 0; i < rendered.Length; i++)
        {
            var (topic, payload) = publications[i];
            if (!topic.PayloadType.IsInstanceOfType(payload))
            {
                throw new ArgumentException($"Topic '{topic.Name}' takes {topic.PayloadType.Name}, not {payload.GetType().Name}.", nameof(publications));
            }

            rendered[i] = (StateOf(topic), payload, Encoding.UTF8.GetBytes(await _renderer.RenderHtmlAsync(topic, payload)), _renderer.RenderJson(topic, payload));
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var events = new SseEvent[rendered.Length];
            for (var i = 0; i < events.Length; i++)
            {
                var (state, payload, html, json) = rendered[i];
                var id = _lastId + 1;
                events[i] = await EncodeAsync(state, id, payload, html, json);
                state.Retain(events[i]);
                Volatile.Write(ref _lastId, id);
            }

            LastPublishedAt = _timeProvider.GetUtcNow();
            FanOut(events);
            return events;
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
    public async ValueTask<Subscriber> SubscribeAsync(
        IReadOnlyCollection<Topic> topics,
        SseFormat format,
        long? lastEventId,
        Action? onOverflow = null,
        CancellationToken cancellationToken = default)
    {
        var states = topics.Select(StateOf).Distinct().ToArray();
        var mask = states.Aggregate(0UL, (m, s) => m | s.Mask);
        var subscriber = new Subscriber(this, mask, _topics.Length, format, _options.MaxQueuedEvents, onOverflow);

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var idKnown = lastEventId is { } known && known >= FirstId - 1 && known <= _lastId;
            var snapshot = new List<SseEvent>();
            var resets = new List<TopicState>();
            foreach (var state in states)
            {
                if (state.Topic.Kind == TopicKind.State)
                {
                    if (state.Newest is { } newest && (!idKnown || newest.Id > lastEventId))
                    {
                        snapshot.Add(newest);
                    }

                    continue;
                }

                var honour = idKnown && lastEventId >= state.EvictedUpTo;
                if (lastEventId is not null && !honour)
                {
                    resets.Add(state);
                }

                snapshot.AddRange(state.Retained().Where(e => !honour || e.Id > lastEventId));
            }

            snapshot.Sort(static (a, b) => a.Id.CompareTo(b.Id));

            // A reset carries the id just before the snapshot, so a client cut off right after it replays the snapshot.
            var resetId = snapshot.Count > 0 ? snapshot[0].Id - 1 : _lastId;
            var preload = new List<SseEvent>(resets.Count + snapshot.Count);
            foreach (var state in resets)
            {
                preload.Add(await CreateResetAsync(state, resetId));
            }

            preload.AddRange(snapshot);
            subscriber.Preload(preload);

            lock (_subscribersLock)
            {
                if (_completed)
                {
                    subscriber.Complete();
                }
                else
                {
                    subscriber.Slot = _subscribers.Count;
                    _subscribers.Add(subscriber);
                }
            }

            return subscriber;
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
    public async ValueTask<HubSnapshot> SnapshotAsync(IReadOnlyCollection<Topic> topics, CancellationToken cancellationToken = default)
    {
        var states = topics.Select(StateOf).Distinct().ToArray();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var events = states.ToDictionary(
                s => s.Topic.Name,
                s => (IReadOnlyList<SseEvent>)(s.Topic.Kind == TopicKind.State
                    ? s.Newest is { } newest ? [newest] : []
                    : s.Retained().ToArray()));
            return new HubSnapshot(_lastId, events);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How many heartbeat ticks make one heartbeat interval.</summary>
    public const int HeartbeatTicksPerInterval = 4;

    /// <summary>Heartbeat ticks so far: <see cref="Heartbeat"/> calls, <see cref="HeartbeatTicksPerInterval"/> per interval.</summary>
    internal long HeartbeatTicks => Volatile.Read(ref _heartbeatTicks);

    /// <summary>
    /// One heartbeat tick, called <see cref="HeartbeatTicksPerInterval"/> times per interval: every subscriber that has
    /// had nothing queued for a whole interval gets a comment frame.
    /// </summary>
    public void Heartbeat()
    {
        var tick = Interlocked.Increment(ref _heartbeatTicks);
        lock (_subscribersLock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.HeartbeatIfIdle(tick, HeartbeatTicksPerInterval);
            }
        }
    }

    /// <summary>Ends every subscription (at shutdown): writers drain what is queued and their responses end cleanly.</summary>
    public void Complete()
    {
        lock (_subscribersLock)
        {
            _completed = true;
            foreach (var subscriber in _subscribers)
            {
                subscriber.Complete();
            }
        }

        _drainDeadline.CancelAfter(DrainGrace);
    }

    internal void Remove(Subscriber subscriber)
    {
        lock (_subscribersLock)
        {
            var slot = subscriber.Slot;
            if (slot < 0)
            {
                return;
            }

            var last = _subscribers[^1];
            _subscribers[slot] = last;
            last.Slot = slot;
            _subscribers.RemoveAt(_subscribers.Count - 1);
            subscriber.Slot = -1;
        }
    }

    // Each subscriber gets all of the events in one pass, so its writer finds them queued together: one write.
    private void FanOut(SseEvent[] events)
    {
        var anyTopic = events.Aggregate(0UL, (mask, e) => mask | (1UL << e.TopicIndex));
        List<Subscriber>? overflowed = null;
        lock (_subscribersLock)
        {
            foreach (var subscriber in _subscribers)
            {
                if ((subscriber.TopicMask & anyTopic) == 0)
                {
                    continue;
                }

                foreach (var e in events)
                {
                    if ((subscriber.TopicMask & (1UL << e.TopicIndex)) != 0 && !subscriber.Enqueue(e))
                    {
                        (overflowed ??= []).Add(subscriber);
                        break;
                    }
                }
            }
        }

        // Outside the lock: ending a connection runs its abort callbacks.
        overflowed?.ForEach(s => s.NotifyOverflow());
    }

    private async ValueTask<SseEvent> CreateResetAsync(TopicState state, long id)
    {
        state.ResetData ??= await RenderResetAsync(state.Topic);
        var (payload, html, json) = state.ResetData.Value;
        return await EncodeAsync(state, id, payload, html, json);
    }

    /// <summary>The event as every subscriber gets it: framed once per format.</summary>
    private static async ValueTask<SseEvent> EncodeAsync(TopicState state, long id, object payload, byte[] html, byte[] json) =>
        new(
            id,
            state.Topic,
            state.Index,
            payload,
            await SseFraming.EncodeAsync(state.Topic.Name, id, html),
            await SseFraming.EncodeAsync(state.Topic.Name, id, json));

    private async ValueTask<(object Payload, byte[] Html, byte[] Json)> RenderResetAsync(Topic topic)
    {
        var payload = topic.CreateResetPayload(_timeProvider.GetUtcNow())
            ?? throw new InvalidOperationException($"Stream topic '{topic.Name}' has no reset payload.");
        return (payload, Encoding.UTF8.GetBytes(await _renderer.RenderHtmlAsync(topic, payload)), _renderer.RenderJson(topic, payload));
    }

    private TopicState StateOf(Topic topic) =>
        _topicsByName.TryGetValue(topic.Name, out var state) && ReferenceEquals(state.Topic, topic)
            ? state
            : throw new ArgumentException($"Topic '{topic.Name}' is not registered with the hub.", nameof(topic));

    private sealed class TopicState(Topic topic, int index, int replayCapacity, long evictedUpTo)
    {
        private readonly SseEvent[] _ring = new SseEvent[topic.Kind == TopicKind.Stream ? replayCapacity : 0];
        private int _head;
        private int _count;

        public Topic Topic { get; } = topic;

        public int Index { get; } = index;

        public ulong Mask { get; } = 1UL << index;

        public SseEvent? Newest { get; private set; }

        /// <summary>The newest id this stream topic no longer retains; resuming from before it needs a reset.</summary>
        public long EvictedUpTo { get; private set; } = evictedUpTo;

        public (object Payload, byte[] Html, byte[] Json)? ResetData { get; set; }

        public void Retain(SseEvent e)
        {
            Newest = e;
            if (_ring.Length == 0)
            {
                return;
            }

            if (_count == _ring.Length)
            {
                EvictedUpTo = _ring[_head].Id;
                _ring[_head] = e;
                _head = (_head + 1) % _ring.Length;
            }
            else
            {
                _ring[(_head + _count) % _ring.Length] = e;
                _count++;
            }
        }

        public IEnumerable<SseEvent> Retained()
        {
            for (var i = 0; i < _count; i++)
            {
                yield return _ring[(_head + i) % _ring.Length];
            }
        }
    }
}

/// <summary>Retained events per topic name, current as of <paramref name="LastEventId"/>.</summary>
public sealed record HubSnapshot(long LastEventId, IReadOnlyDictionary<string, IReadOnlyList<SseEvent>> Events);
