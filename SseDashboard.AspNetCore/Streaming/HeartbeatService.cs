using Microsoft.Extensions.Options;

namespace SseDashboard.Streaming;

/// <summary>
/// One timer for all connections, ticking <see cref="EventHub.HeartbeatTicksPerInterval"/> times per heartbeat interval:
/// a connection with nothing queued for a whole interval gets a comment frame, so none is quiet for longer.
/// </summary>
public sealed class HeartbeatService(EventHub hub, IOptions<SseOptions> options, TimeProvider timeProvider) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        EveryAsync(options.Value.Heartbeat / EventHub.HeartbeatTicksPerInterval, hub.Heartbeat, timeProvider, stoppingToken);

    /// <summary>Runs <paramref name="tick"/> every <paramref name="period"/> until stopping.</summary>
    internal static async Task EveryAsync(TimeSpan period, Action tick, TimeProvider timeProvider, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                tick();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>
/// Checks ten times per <c>Dashboard:Sse:StallTimeout</c>, and at least every 2 s, for connections whose write has
/// waited on their client that long, and aborts them: a client that stopped reading never holds its connection,
/// whatever its topics, for much longer than the timeout (a look at every stream's one timestamp costs little).
/// </summary>
public sealed class StallWatchService(EventHub hub, IOptions<SseOptions> options, TimeProvider timeProvider) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        HeartbeatService.EveryAsync(
            TimeSpan.FromTicks(Math.Min(options.Value.StallTimeout.Ticks / 10, TimeSpan.FromSeconds(2).Ticks)), hub.AbortStalled, timeProvider, stoppingToken);
}
