using Microsoft.Extensions.Options;

namespace SseDashboard.Streaming;

/// <summary>How often SSE connection churn is summarised in the log. Not a configuration key.</summary>
public sealed class ConnectionLogOptions
{
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// One Information line per interval when streams opened or closed (<c>SSE clients 8,000 (+8,000 −0)</c>), instead of a
/// line per connection: a dashboard tailing its own log would otherwise send every client every other client's churn.
/// </summary>
public sealed partial class ConnectionLogService(
    StreamingMetrics metrics,
    TimeProvider timeProvider,
    IOptions<ConnectionLogOptions> options,
    ILogger<ConnectionLogService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = metrics.Totals();
        return HeartbeatService.EveryAsync(options.Value.Interval, () =>
        {
            var now = metrics.Totals();
            var (opened, closed) = (now.Opened - last.Opened, now.Closed - last.Closed);
            if (opened != 0 || closed != 0)
            {
                LogChurn(logger, now.Connections, opened, closed);
            }

            last = now;
        }, timeProvider, stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SSE clients {Connections:N0} (+{Opened:N0} −{Closed:N0})")]
    private static partial void LogChurn(ILogger logger, long connections, long opened, long closed);
}
