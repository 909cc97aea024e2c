namespace SseDashboard.Streaming;

/// <summary>
/// Where the hub's events outlive the process and its replay rings: handed every published event, asked at start where
/// ids go on from, and asked for what a resuming reader missed beyond a ring. The hub knows no storage; the History
/// feature supplies one, and <see cref="NoEventHistory"/> keeps nothing.
/// </summary>
public interface IEventHistory
{
    /// <summary>
    /// Opens the store, once, before anything is published: the newest id it holds and each stream topic's newest
    /// events (oldest first, at most <paramref name="recent"/> each). A store that cannot be read gives what it can.
    /// </summary>
    Task<HistoryStart> OpenAsync(IReadOnlyList<Topic> streamTopics, int recent, CancellationToken cancellationToken);

    /// <summary>
    /// True when the store, not the hub, numbers events (a fleet's PostgreSQL): the hub then publishes what is read back
    /// from it, with the store's ids, and <see cref="Append"/> is not called.
    /// </summary>
    bool NumbersEvents { get; }

    /// <summary>Takes published events, in id order, to store. Called under the hub's publish gate: must not block.</summary>
    void Append(IReadOnlyList<SseEvent> events);

    /// <summary>
    /// The stored events of <paramref name="topic"/> after <paramref name="afterId"/> up to <paramref name="upTo"/> (the
    /// hub's newest), of <paramref name="hosts"/> (null: every host's), oldest first, complete up to
    /// <see cref="StoredEvents.UpTo"/>; null when the store cannot give all of them (trimmed by retention, dropped while
    /// it was failing, more than <paramref name="maxItems"/> items, or unreadable).
    /// </summary>
    Task<StoredEvents?> ReadAfterAsync(Topic topic, long afterId, long upTo, IReadOnlySet<string>? hosts, int maxItems, CancellationToken cancellationToken);
}

/// <summary>A stored event: its id and its payload, as published.</summary>
public sealed record StoredEvent(long Id, object Payload);

/// <summary>Stored events, and the newest id up to which the store holds every event.</summary>
public sealed record StoredEvents(IReadOnlyList<StoredEvent> Events, long UpTo);

/// <summary>
/// What the store holds at start: its oldest and newest ids (null and 0 when it holds nothing, or cannot be read), and
/// the stream topics' newest events.
/// </summary>
public sealed record HistoryStart(long? OldestId, long NewestId, IReadOnlyDictionary<Topic, IReadOnlyList<StoredEvent>> Recent)
{
    public static HistoryStart Empty { get; } = new(null, 0, new Dictionary<Topic, IReadOnlyList<StoredEvent>>());
}

/// <summary>Memory only: nothing outlives the process (<c>Dashboard:Store:Provider=None</c>).</summary>
public sealed class NoEventHistory : IEventHistory
{
    public Task<HistoryStart> OpenAsync(IReadOnlyList<Topic> streamTopics, int recent, CancellationToken cancellationToken) =>
        Task.FromResult(HistoryStart.Empty);

    public bool NumbersEvents => false;

    public void Append(IReadOnlyList<SseEvent> events)
    {
    }

    public Task<StoredEvents?> ReadAfterAsync(Topic topic, long afterId, long upTo, IReadOnlySet<string>? hosts, int maxItems, CancellationToken cancellationToken) =>
        Task.FromResult<StoredEvents?>(null);
}

/// <summary>Opens the hub's history before any producer starts (hosted services start in registration order).</summary>
internal sealed class HubStartService(EventHub hub) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => hub.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
