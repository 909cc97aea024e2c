using System.Diagnostics;
using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Producers;

/// <summary>The <c>clock</c> payload: publish time and process uptime.</summary>
public sealed record ClockSample(DateTimeOffset Timestamp, double UptimeSeconds);

/// <summary>Publishes the time and uptime every <c>Dashboard:Clock:Interval</c>.</summary>
public sealed class ClockProducer(
    IEventPublisher publisher,
    TimeProvider timeProvider,
    IOptions<DashboardOptions> options,
    RestartPolicy restartPolicy,
    ILogger<ClockProducer> logger) : BackgroundService
{
    private readonly DateTimeOffset _started = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    // The clock has no error state of its own: a fault is logged and the clock comes back after the backoff.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        ProducerRestarts.RunAsync("clock", RunAsync, static (_, _) => ValueTask.CompletedTask, restartPolicy, logger, timeProvider, stoppingToken);

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Clock.Interval, timeProvider);

        // First sample at once: a client connecting now never waits for the first tick.
        do
        {
            await publisher.PublishAsync(DashboardTopics.Clock, Sample(), stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal ClockSample Sample()
    {
        var now = timeProvider.GetUtcNow();
        return new ClockSample(now, Math.Round((now - _started).TotalSeconds, 3));
    }
}
