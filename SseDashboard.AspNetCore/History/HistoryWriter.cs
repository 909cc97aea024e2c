using System.Threading.Channels;
using Microsoft.Extensions.Options;
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
public sealed partial class HistoryWriter(
    HistoryStore store,
    HistoryStatus status,
    TimeProvider timeProvider,
    ILogger<HistoryWriter> logger,
    LocalHost? localHost = null,
    IOptions<Metrics.MetricsOptions>? metrics = null,
    IOptions<OutageOptions>? outage = null,
    IOptions<HistoryOptions>? options = null) : BackgroundService, IEventHistory, IFilePositions
{
    private readonly CommitPacer _pacer = new(options?.Value.EffectiveCommitInterval ?? TimeSpan.Zero, timeProvider);

    /// <summary>Events waiting to be stored before new ones are dropped (a log event carries up to MaxBatchLines lines).</summary>
    public const int MaxQueuedEvents = 20_000;

    private const int MaxBatchRows = 5_000;
    private const int RecentLogRows = 10_000;
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Channel<PendingEvent> _queue = Channel.CreateUnbounded<PendingEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _host = localHost?.Name ?? "";

    // In a fleet, what comes while the store is down waits here, bounded (the newest of each state, the newest lines).
    private readonly OutageBuffer _outage = new((outage?.Value ?? new OutageOptions()).Lines, localHost?.Name ?? "");

    // Names this process's batches: a batch retried after its commit's reply was lost is recognised, not stored twice.
    private readonly string _run = Guid.NewGuid().ToString("N");
    private long _batch;
    private bool _slow;
    private readonly CancellationTokenSource _stopped = new();
    private int _queued;
    private long _storedUpTo;
    private long _droppedUpTo;
    private long _droppedUpToStored;
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not stoppingToken: at shutdown the queue is closed and drained (StopAsync), so what was published is stored.
        var reader = _queue.Reader;
        var full = false;
        while (!_outage.IsEmpty || await reader.WaitToReadAsync(CancellationToken.None))
        {
            await _pacer.WaitAsync(full, _stopped.Token);
            var write = new HistoryWrite
            {
                Host = _host,
                Role = localHost?.Role ?? "",
                // How often this host reports: it samples each metrics interval, and writes at most each commit interval.
                IntervalMs = (long)Math.Max(metrics?.Value.Interval.TotalMilliseconds ?? 1000, _pacer.Interval.TotalMilliseconds),
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
                write.Add(id, e.Topic, e.Payload);
                upTo = id;
            }

            write.IdCount = upTo;
            full = write.Count >= MaxBatchRows;

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

    private Task OpenStoreAsync(CancellationToken cancellationToken) => store.EnsureMigratedAsync(cancellationToken);

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

    /// <summary>An event waiting to be stored; <see cref="Id"/> 0 when the store numbers it; <see cref="Shown"/> once shown live.</summary>
    private readonly record struct PendingEvent(Topic Topic, object Payload, long Id, bool Shown = false);
}
