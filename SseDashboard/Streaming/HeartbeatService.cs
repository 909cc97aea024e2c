using Microsoft.Extensions.Options;

namespace SseDashboard.Streaming;

/// <summary>One timer for all connections: each tick, idle subscribers get a comment frame.</summary>
public sealed class HeartbeatService(EventHub hub, IOptions<DashboardOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Sse.Heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                hub.Heartbeat();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
