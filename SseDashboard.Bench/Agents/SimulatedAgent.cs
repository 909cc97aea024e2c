using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SseDashboard.Fleet;
using SseDashboard.History;
using SseDashboard.LogTail;
using SseDashboard.Metrics;
using SseDashboard.Streaming;

namespace SseDashboard.Bench.Agents;

/// <summary>
/// One agent of the fleet scenario, in this process but through an agent's own code: its producers' events go to a
/// <see cref="FleetPublisher"/> with no hub, whose <see cref="HistoryWriter"/> stores each batch in one transaction of
/// its own store (its own connection pool). Every flush it publishes the log lines due at its rate as one log event,
/// as the log tail does each poll; every second a cpu and a memory sample together, as the metrics producer does.
/// </summary>
internal sealed class SimulatedAgent : IAsyncDisposable
{
    private static readonly TimeSpan MetricsInterval = TimeSpan.FromSeconds(1);
    private static readonly string[] Requests = ["GET /api/orders", "GET /api/users", "POST /api/carts", "GET /api/products", "PUT /api/invoices"];

    private readonly int _number;
    private readonly string _marker;
    private readonly int _linesPerSecond;
    private readonly TimeSpan _flush;
    private readonly PostgresHistoryStore _store;
    private readonly HistoryWriter _writer;
    private readonly FleetPublisher _publisher;
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random;
    private Task _loop = Task.CompletedTask;
    private long _nextSeq;

    public SimulatedAgent(int number, string marker, string connectionString, int linesPerSecond, TimeSpan flush, TimeSpan? commitInterval = null)
    {
        (_number, _marker, _linesPerSecond, _flush) = (number, marker, linesPerSecond, flush);
        _random = new Random(number);
        Name = NameOf(number);
        _store = new PostgresHistoryStore(connectionString);
        Status = new HistoryStatus(StoreProvider.Postgres, TimeProvider.System, NullLogger<HistoryStatus>.Instance);
        var node = Options.Create(new NodeOptions { Role = NodeRole.Agent, HostName = Name });
        _writer = new HistoryWriter(
            _store, Status, TimeProvider.System, NullLogger<HistoryWriter>.Instance, new LocalHost(Name, nameof(NodeRole.Agent)), Options.Create(new MetricsOptions()),
            options: Options.Create(new HistoryOptions { Provider = StoreProvider.Postgres, CommitInterval = commitInterval }));
        _publisher = new FleetPublisher(_writer, node);
    }

    /// <summary>The host name of agent <paramref name="number"/> (from 1).</summary>
    public static string NameOf(int number) => $"agent-{number:00}";

    /// <summary>Its host name, <c>agent-NN</c>; its lines carry <c>fleetline RUN NN SEQ MICROS</c> (see <see cref="Client.FleetLines"/>).</summary>
    public string Name { get; }

    public int Number => _number;

    /// <summary>The sequence number its next log line takes: lines 0 … NextSeq − 1 are published.</summary>
    public long NextSeq => Interlocked.Read(ref _nextSeq);

    public long LogEvents { get; private set; }

    public long MetricSamples { get; private set; }

    /// <summary>Whether its store failed, and what it dropped (the writer's own account).</summary>
    public HistoryStatus Status { get; }

    public async Task StartAsync()
    {
        await _writer.StartAsync(CancellationToken.None);
        _loop = RunAsync(_stop.Token);
    }

    /// <summary>Stops publishing; what is published is still being stored until <see cref="DisposeAsync"/>.</summary>
    public async Task StopPublishingAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Agents are not in step: each starts at its own point of the flush interval.
            await Task.Delay(_random.Next((int)_flush.TotalMilliseconds), cancellationToken);
            var clock = Stopwatch.StartNew();
            var nextMetrics = TimeSpan.Zero;
            using var timer = new PeriodicTimer(_flush);
            do
            {
                if (clock.Elapsed >= nextMetrics)
                {
                    nextMetrics += MetricsInterval;
                    await PublishMetricsAsync(cancellationToken);
                }

                var due = (long)(clock.Elapsed.TotalSeconds * _linesPerSecond);
                if (due > _nextSeq)
                {
                    await PublishLinesAsync(due, cancellationToken);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    // The lines due by now, in one log event: what the log tail publishes of a poll.
    private ValueTask PublishLinesAsync(long due, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var micros = (now.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
        var lines = new List<LogLine>((int)(due - _nextSeq));
        for (var seq = _nextSeq; seq < due; seq++)
        {
            lines.Add(LogLine.Of(string.Create(CultureInfo.InvariantCulture,
                $"[{now:HH:mm:ss} INF] {_marker}{_number} {seq} {micros} {Requests[_random.Next(Requests.Length)]}/{_random.Next(100_000)} 200 in {_random.Next(1, 300)} ms")));
        }

        Interlocked.Exchange(ref _nextSeq, due);
        LogEvents++;
        return _publisher.PublishAsync(LogTailTopics.Log, new LogBatch(now, "/var/log/app/app.log", LogKinds.Lines, lines), cancellationToken);
    }

    private ValueTask PublishMetricsAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var used = 40 + (_random.NextDouble() * 20);
        var cpu = new CpuSample(now, 10 + (_random.NextDouble() * 30), _random.NextDouble() * 5, 2, SystemAvailable: true, ContainerLimited: false);
        var memory = new MemorySample(now, 8L << 30, (long)((100 - used) / 100 * (8L << 30)), used, 200L << 20, 50L << 20, 10, 2, 0, SystemAvailable: true, ContainerLimited: false);
        MetricSamples += 2;
        return _publisher.PublishAllAsync([MetricsTopics.Cpu.With(cpu), MetricsTopics.Memory.With(memory)], cancellationToken);
    }

    /// <summary>Stops publishing, stores what is queued (at most 30 s), closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopPublishingAsync();
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _writer.StopAsync(drain.Token);
        _writer.Dispose();
        await _store.DisposeAsync();
        _stop.Dispose();
    }
}
