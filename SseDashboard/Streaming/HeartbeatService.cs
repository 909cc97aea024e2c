using Microsoft.Extensions.Options;

namespace SseDashboard.Streaming;

/// <summary>
/// One timer for all connections, ticking <see cref="EventHub.HeartbeatTicksPerInterval"/> times per heartbeat interval:
/// a connection with nothing queued for a whole interval gets a comment frame, so none is quiet for longer.
/// </summary>
public sealed class HeartbeatService(EventHub hub, IOptions<SseOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Heartbeat / EventHub.HeartbeatTicksPerInterval);
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
