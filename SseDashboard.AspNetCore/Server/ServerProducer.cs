using Microsoft.Extensions.Options;
using SseDashboard.History;
using SseDashboard.Producers;
using SseDashboard.Streaming;

namespace SseDashboard.Server;

/// <summary>Publishes the dashboard's own load every <c>Dashboard:Server:Interval</c>: streams open, events and bytes per second, ends by reason.</summary>
public sealed class ServerProducer(
    StreamingMetrics metrics,
    HistoryStatus store,
    IEventPublisher publisher,
    TimeProvider timeProvider,
    IOptions<ServerOptions> options,
    RestartPolicy restartPolicy,
    ILogger<ServerProducer> logger) : RestartingProducer("server", restartPolicy, timeProvider, logger)
{
    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var timer = new AlignedTimer(options.Value.Interval, TimeProvider);
        var (last, lastAt) = (metrics.Totals(), TimeProvider.GetTimestamp());
        while (true)
        {
            await timer.WaitForNextTickAsync(stoppingToken);
            var (now, nowAt) = (metrics.Totals(), TimeProvider.GetTimestamp());
            await publisher.PublishAsync(ServerTopics.Server, Sample(last, now, TimeProvider.GetElapsedTime(lastAt, nowAt)), stoppingToken);
            (last, lastAt) = (now, nowAt);
        }
    }

    protected override async ValueTask ShowFaultAsync(Exception fault, CancellationToken stoppingToken)
    {
        var totals = metrics.Totals();
        var faulted = Sample(totals, totals, TimeSpan.Zero) with { Error = $"Server figures failed: {fault.Message}" };
        await publisher.PublishAsync(ServerTopics.Server, faulted, stoppingToken);
    }

    private ServerSample Sample(StreamingTotals before, StreamingTotals now, TimeSpan elapsed)
    {
        double PerSecond(long delta) => elapsed <= TimeSpan.Zero ? 0 : Math.Round(delta / elapsed.TotalSeconds, 1);

        return new ServerSample(
            TimeProvider.GetUtcNow(),
            now.Connections,
            PerSecond(now.Events - before.Events),
            PerSecond(now.Bytes - before.Bytes),
            new ServerDisconnects(
                now.DisconnectsOf(DisconnectReason.Client),
                now.DisconnectsOf(DisconnectReason.Overflow),
                now.DisconnectsOf(DisconnectReason.Stalled),
                now.DisconnectsOf(DisconnectReason.Capacity)))
        {
            Store = store.Provider == StoreProvider.None
                ? null
                : new ServerStore(store.Provider.ToString(), store.Error is null ? "ok" : "failing", store.Dropped, store.Error, store.FailingSince),
        };
    }
}
