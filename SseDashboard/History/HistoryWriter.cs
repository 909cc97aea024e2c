using System.Threading.Channels;
using SseDashboard.LogTail;
using SseDashboard.Streaming;

namespace SseDashboard.History;

/// <summary>
/// Stores every published event off the publish path: the hub hands events to a queue of at most
/// <see cref="MaxQueuedEvents"/> and one writer stores
/// them in batches, one transaction each. A failing store is retried with backoff while live streaming goes on; when
/// the queue is full, events are left unstored, counted, and a resume from before them gets the reset.
/// </summary>
public sealed class HistoryWriter(
    HistoryStore store,
    HistoryStatus status,
    TimeProvider timeProvider,
    ILogger<HistoryWriter> logger) : BackgroundService, IEventHistory, IFilePositions
{
    /// <summary>Events waiting to be stored before new ones are dropped (a log event carries up to MaxBatchLines lines).</summary>
    public const int MaxQueuedEvents = 20_000;

    private const int MaxBatchRows = 5_000;
    private const int RecentLogRows = 10_000;
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Channel<SseEvent> _queue = Channel.CreateUnbounded<SseEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopped = new();
    private int _queued;
    private long _storedUpTo;
    private long _droppedUpTo;
    private bool _opened;
    private int _disposed;

    /// <summary>The newest id up to which every event is stored (or was dropped).</summary>
    public long StoredUpTo => Volatile.Read(ref _storedUpTo);

    public async Task<HistoryStart> OpenAsync(IReadOnlyList<Topic> streamTopics, int recent, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(OpenTimeout);
        try
        {
            await OpenStoreAsync(timeout.Token);
            var (oldest, newest) = await store.RangeAsync(timeout.Token);
            Volatile.Write(ref _storedUpTo, newest ?? 0);
            var recentEvents = new Dictionary<Topic, IReadOnlyList<StoredEvent>>();
            if (streamTopics.Contains(LogTailTopics.Log))
            {
                recentEvents[LogTailTopics.Log] = Recent(await store.ReadRecentLogAsync(RecentLogRows, timeout.Token), recent);
            }

            return new HistoryStart(oldest, newest ?? 0, recentEvents);
        }
        catch (Exception ex) when (ex is not HistorySchemaException && !cancellationToken.IsCancellationRequested)
        {
            // Live streaming starts anyway: ids from the start time, nothing earlier to resume; the writer retries.
            status.Failed("open", ex);
            return HistoryStart.Empty;
        }
    }

    public void Append(IReadOnlyList<SseEvent> events)
    {
        foreach (var e in events)
        {
            if (Interlocked.Increment(ref _queued) > MaxQueuedEvents || !_queue.Writer.TryWrite(e))
            {
                Interlocked.Decrement(ref _queued);
                Volatile.Write(ref _droppedUpTo, e.Id);
                status.Drop(1);
            }
        }
    }

    public async Task<StoredEvents?> ReadAfterAsync(Topic topic, long afterId, int maxItems, CancellationToken cancellationToken)
    {
        // Taken before reading: everything up to here is in the store when the query runs.
        var upTo = StoredUpTo;
        if (topic != LogTailTopics.Log || afterId < Volatile.Read(ref _droppedUpTo) || status.Error is not null)
        {
            return null;
        }

        try
        {
            if (afterId < await store.LogTrimmedUpToAsync(cancellationToken))
            {
                return null;
            }

            var rows = await store.ReadLogAfterAsync(afterId, upTo, maxItems + 1, cancellationToken);
            return rows.Count > maxItems ? null : new StoredEvents(LogRows.ToEvents(rows), upTo);
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
            return (await store.ReadPositionsAsync(cancellationToken)).ToDictionary(
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
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            var write = new HistoryWrite();
            var (count, upTo) = (0, 0L);
            while (write.Count < MaxBatchRows && reader.TryRead(out var e))
            {
                Add(write, e);
                (count, upTo) = (count + 1, e.Id);
            }

            await StoreAsync(write);
            Interlocked.Add(ref _queued, -count);
            Volatile.Write(ref _storedUpTo, upTo);
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

    // Retries until stored, backing off to MaxBackoff; gives up only when shutdown's time is out.
    private async Task StoreAsync(HistoryWrite write)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await OpenStoreAsync(_stopped.Token);
                await store.WriteAsync(write, _stopped.Token);
                status.Succeeded();
                return;
            }
            catch (Exception) when (_stopped.IsCancellationRequested)
            {
                status.Drop(write.Count);
                return;
            }
            catch (Exception ex)
            {
                status.Failed("store events", ex);
            }

            try
            {
                await Task.Delay(backoff, timeProvider, _stopped.Token);
            }
            catch (OperationCanceledException)
            {
                status.Drop(write.Count);
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private static void Add(HistoryWrite write, SseEvent e)
    {
        if (e.Payload is LogBatch batch)
        {
            LogRows.Add(write.Lines, e.Id, batch);
            foreach (var position in batch.Positions)
            {
                var (device, inode) = (unchecked((long)position.Identity.Device), unchecked((long)position.Identity.Inode));
                write.Positions[(device, inode)] = new FilePositionRow(device, inode, position.Path, position.Offset);
            }

            return;
        }

        if (e.Topic is not { Kind: TopicKind.State } topic || e.Payload is null)
        {
            return;
        }

        write.AddSample(e.Id, topic.Name, topic.SerializeJson(e.Payload));
    }

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
