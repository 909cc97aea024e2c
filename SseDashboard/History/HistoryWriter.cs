using System.Threading.Channels;
using Microsoft.Extensions.Options;
using SseDashboard.Fleet;
using SseDashboard.LogTail;
using SseDashboard.Streaming;

namespace SseDashboard.History;

/// <summary>
/// Stores every published event off the publish path: the hub hands events to a queue of at most
/// <see cref="MaxQueuedEvents"/> and one writer stores
/// them in batches, one transaction each. A failing store is retried with backoff while live streaming goes on; when
/// the queue is full, events are left unstored, counted, and a resume from before them gets the reset. In a fleet the
/// store numbers the events: they are submitted here unnumbered, and reach the hub from the store.
/// </summary>
public sealed class HistoryWriter(
    HistoryStore store,
    HistoryStatus status,
    TimeProvider timeProvider,
    ILogger<HistoryWriter> logger,
    IOptions<NodeOptions>? node = null,
    IOptions<Metrics.MetricsOptions>? metrics = null,
    IOptions<FleetOptions>? fleet = null) : BackgroundService, IEventHistory, IFilePositions
{
    /// <summary>Events waiting to be stored before new ones are dropped (a log event carries up to MaxBatchLines lines).</summary>
    public const int MaxQueuedEvents = 20_000;

    private const int MaxBatchRows = 5_000;
    private const int RecentLogRows = 10_000;
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Channel<PendingEvent> _queue = Channel.CreateUnbounded<PendingEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _host = node?.Value.HostName ?? "";

    // In a fleet, what comes while the store is down waits here, bounded (the newest of each state, the newest lines).
    private readonly OutageBuffer _outage = new((fleet?.Value ?? new FleetOptions()).AgentBufferLines, node?.Value.HostName ?? "");

    // Names this process's batches: a batch retried after its commit's reply was lost is recognised, not stored twice.
    private readonly string _run = Guid.NewGuid().ToString("N");
    private long _batch;
    private bool _slow;
    private readonly CancellationTokenSource _stopped = new();
    private int _queued;
    private long _storedUpTo;
    private long _droppedUpTo;
    private long _droppedUpToStored;
    private bool _opened;
    private int _disposed;

    /// <summary>
    /// In a fleet, handed the events of a batch the store has just failed to take: a dashboard node shows its own host's
    /// live, unnumbered, until the store is back (they are stored then, and come back numbered).
    /// </summary>
    public Func<IReadOnlyList<Publication>, ValueTask>? Unstored { get; set; }

    /// <summary>
    /// Whether the store is failing now, or a write has waited on it for longer than <see cref="SlowWrite"/>: what is
    /// submitted then waits.
    /// </summary>
    public bool Failing => status.Error is not null || Volatile.Read(ref _slow);

    /// <summary>How long a fleet's write may wait on the store (a lock, a network that stopped answering) before a node shows its own host's events live.</summary>
    public static readonly TimeSpan SlowWrite = TimeSpan.FromSeconds(2);

    /// <summary>The newest id up to which every event is stored (or was dropped).</summary>
    public long StoredUpTo => Volatile.Read(ref _storedUpTo);

    public async Task<HistoryStart> OpenAsync(IReadOnlyList<Topic> streamTopics, int recent, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(OpenTimeout);
        try
        {
            await OpenStoreAsync(timeout.Token);
            var (oldest, _) = await store.RangeAsync(timeout.Token);
            var newest = await store.NewestIdAsync(timeout.Token);
            Volatile.Write(ref _storedUpTo, newest);
            var recentEvents = new Dictionary<Topic, IReadOnlyList<StoredEvent>>();
            if (streamTopics.Contains(LogTailTopics.Log))
            {
                // Up to the newest read just before: in a fleet, what commits meanwhile comes from the store after it.
                recentEvents[LogTailTopics.Log] = Recent(await store.ReadRecentLogAsync(newest, RecentLogRows, timeout.Token), recent);
            }

            return new HistoryStart(oldest, newest, recentEvents);
        }
        catch (Exception ex) when (ex is not HistorySchemaException && !cancellationToken.IsCancellationRequested)
        {
            // Live streaming starts anyway: ids from the start time, nothing earlier to resume; the writer retries.
            status.Failed("open", ex);
            return HistoryStart.Empty;
        }
    }

    public bool NumbersEvents => store.AssignsIds;

    public void Append(IReadOnlyList<SseEvent> events)
    {
        foreach (var e in events)
        {
            Enqueue(new PendingEvent(e.Topic!, e.Payload!, e.Id));
        }
    }

    /// <summary>
    /// Takes this host's events to store unnumbered: the store numbers them (<see cref="NumbersEvents"/>).
    /// <paramref name="shown"/>: already shown live (the store was failing), so <see cref="Unstored"/> never repeats them.
    /// </summary>
    public void Submit(IReadOnlyList<Publication> publications, bool shown = false)
    {
        foreach (var (topic, payload) in publications)
        {
            Enqueue(new PendingEvent(topic, payload, 0, shown));
        }
    }

    private void Enqueue(PendingEvent e)
    {
        if (Interlocked.Increment(ref _queued) > MaxQueuedEvents || !_queue.Writer.TryWrite(e))
        {
            Interlocked.Decrement(ref _queued);
            if (e.Topic == LogTailTopics.Log)
            {
                Volatile.Write(ref _droppedUpTo, e.Id);
            }

            status.Drop(1);
        }
    }

    public async Task<StoredEvents?> ReadAfterAsync(Topic topic, long afterId, long upTo, IReadOnlySet<string>? hosts, int maxItems, CancellationToken cancellationToken)
    {
        // Taken before reading: everything up to here is in the store when the query runs (in a fleet, everything the
        // hub has published came from the store).
        upTo = NumbersEvents ? upTo : Math.Min(upTo, StoredUpTo);
        if (topic != LogTailTopics.Log || afterId < Volatile.Read(ref _droppedUpTo) || status.Error is not null)
        {
            return null;
        }

        try
        {
            var rows = await store.ReadLogAfterAsync(afterId, upTo, hosts, maxItems + 1, cancellationToken);

            // Checked after the read, not before: retention that removed lines after afterId while it ran has moved the
            // mark by now (it only grows, with its delete), and what the read missed is not a quiet gap.
            return rows.Count > maxItems || afterId < await store.LogLostUpToAsync(cancellationToken)
                ? null
                : new StoredEvents(LogRows.ToEvents(rows), upTo);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not read the log after {Id} from the history store; the reader gets the reset", afterId);
            return null;
        }
    }

    public async Task<IReadOnlyDictionary<FileIdentity, long>> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await OpenStoreAsync(cancellationToken);
            return (await store.ReadPositionsAsync(_host, cancellationToken)).ToDictionary(
                p => new FileIdentity(unchecked((ulong)p.Device), unchecked((ulong)p.Inode)), p => p.Offset);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            status.Failed("read file positions", ex);
            return new Dictionary<FileIdentity, long>();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not stoppingToken: at shutdown the queue is closed and drained (StopAsync), so what was published is stored.
        var reader = _queue.Reader;
        while (!_outage.IsEmpty || await reader.WaitToReadAsync(CancellationToken.None))
        {
            var write = new HistoryWrite
            {
                Host = _host,
                Role = node?.Value.Role.ToString() ?? "",
                IntervalMs = (long)(metrics?.Value.Interval.TotalMilliseconds ?? 1000),
                Run = _run,
                Batch = ++_batch,
            };
            var upTo = 0L;
            var batch = new List<Publication>();
            while (write.Count < MaxBatchRows && TryNext(reader, out var e))
            {
                if (!e.Shown)
                {
                    batch.Add(new Publication(e.Topic, e.Payload));
                }
                // Numbered by the store: ids from 1 in the batch, moved onto the store's sequence as it commits.
                var id = NumbersEvents ? write.IdCount += e.Topic.IdCount(e.Payload) : e.Id;
                Add(write, id, e);
                upTo = id;
            }

            write.IdCount = upTo;

            // Lines dropped since the last write (the queue was full) are recorded with this one, so a resume from
            // before them after a restart gets the reset too, not a quiet gap.
            var dropped = Volatile.Read(ref _droppedUpTo);
            write.LostUpTo = dropped > _droppedUpToStored ? dropped : 0;
            var stored = await StoreAsync(write, batch);
            Volatile.Write(ref _storedUpTo, NumbersEvents ? Math.Max(StoredUpTo, stored) : upTo);
            if (stored > 0)
            {
                _droppedUpToStored = Math.Max(_droppedUpToStored, write.LostUpTo);
            }
        }
    }

    private async Task<bool> CompletesWithinAsync(Task task, TimeSpan time)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(_stopped.Token);
        var finished = await Task.WhenAny(task, Task.Delay(time, timeProvider, timer.Token));
        await timer.CancelAsync();
        return finished == task;
    }

    // What waited out the store's outage first, then what came since.
    private bool TryNext(ChannelReader<PendingEvent> reader, out PendingEvent e)
    {
        if (_outage.TryTake(out var topic, out var payload, out var shown))
        {
            e = new PendingEvent(topic, payload, 0, shown);
            return true;
        }

        if (reader.TryRead(out e))
        {
            Interlocked.Decrement(ref _queued);
            return true;
        }

        return false;
    }

    // While a fleet's store is down or stuck: what is queued moves to the outage buffer, which keeps it bounded, and
    // what of it was not shown yet is shown live now (it was queued before the store was seen failing).
    private async Task HoldAsync()
    {
        var unshown = new List<Publication>();
        while (_queue.Reader.TryRead(out var e))
        {
            Interlocked.Decrement(ref _queued);
            if (!e.Shown && Unstored is not null)
            {
                unshown.Add(new Publication(e.Topic, e.Payload));
            }

            var dropped = _outage.Skipped;
            _outage.Add(e.Topic, e.Payload, e.Shown || Unstored is not null);
            status.Drop((int)(_outage.Skipped - dropped));
        }

        if (unshown.Count > 0)
        {
            await Unstored!(unshown);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (ExecuteTask is { } running)
        {
            // Drain until the host's shutdown timeout; a store still failing then gives up.
            await using (cancellationToken.Register(_stopped.Cancel))
            {
                await running.WaitAsync(Timeout.InfiniteTimeSpan, timeProvider, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await base.StopAsync(cancellationToken);
    }

    // Registered under three services, so disposed three times.
    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopped.Cancel();
            _stopped.Dispose();
            base.Dispose();
        }
    }

    private async Task OpenStoreAsync(CancellationToken cancellationToken)
    {
        if (!_opened)
        {
            await store.MigrateAsync(cancellationToken);
            _opened = true;
        }
    }

    // Retries until stored, backing off to MaxBackoff; gives up only when shutdown's time is out. The newest id stored.
    // In a fleet, the batch's events not yet shown live are handed to Unstored once, when a write fails or is slow.
    private async Task<long> StoreAsync(HistoryWrite write, IReadOnlyList<Publication> batch)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var shown = !NumbersEvents;
        while (true)
        {
            try
            {
                await OpenStoreAsync(_stopped.Token);
                var writing = store.WriteAsync(write, _stopped.Token);
                if (!shown && Unstored is { } whileSlow && !await CompletesWithinAsync(writing, SlowWrite))
                {
                    shown = true;
                    Volatile.Write(ref _slow, true);
                    await whileSlow(batch);
                    await HoldAsync();
                }

                try
                {
                    var stored = await writing;
                    status.Succeeded();
                    return stored;
                }
                finally
                {
                    Volatile.Write(ref _slow, false);
                }
            }
            catch (Exception) when (_stopped.IsCancellationRequested)
            {
                status.Drop(write.Count);
                return 0;
            }
            catch (Exception ex)
            {
                status.Failed("store events", ex);
                if (!shown && Unstored is { } unstored)
                {
                    shown = true;
                    await unstored(batch);
                }

                if (NumbersEvents)
                {
                    await HoldAsync();
                }
            }

            try
            {
                await Task.Delay(backoff, timeProvider, _stopped.Token);
            }
            catch (OperationCanceledException)
            {
                status.Drop(write.Count);
                return 0;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private static void Add(HistoryWrite write, long id, PendingEvent e)
    {
        if (e.Payload is LogBatch batch)
        {
            LogRows.Add(write.Lines, id, batch);
            foreach (var position in batch.Positions)
            {
                var (device, inode) = (unchecked((long)position.Identity.Device), unchecked((long)position.Identity.Inode));
                write.Positions[(device, inode)] = new FilePositionRow(device, inode, position.Path, position.Offset) { Host = write.Host };
            }

            return;
        }

        if (e.Topic.Kind == TopicKind.State)
        {
            write.AddSample(id, e.Topic.Name, e.Topic.SerializeJson(e.Payload), e.Topic.HostOf(e.Payload) ?? write.Host);
        }
    }

    /// <summary>An event waiting to be stored; <see cref="Id"/> 0 when the store numbers it; <see cref="Shown"/> once shown live.</summary>
    private readonly record struct PendingEvent(Topic Topic, object Payload, long Id, bool Shown = false);

    // The newest events whole (the oldest read may be cut), at most `events` of them.
    private static List<StoredEvent> Recent(IReadOnlyList<LogRow> rows, int events)
    {
        var all = LogRows.ToEvents(rows);
        if (rows.Count == RecentLogRows && all.Count > 0)
        {
            all.RemoveAt(0);
        }

        return all.Count > events ? all.GetRange(all.Count - events, events) : all;
    }
}
