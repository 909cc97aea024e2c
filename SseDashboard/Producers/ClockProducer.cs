using System.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Producers;

/// <summary>The <c>clock</c> payload: publish time and process uptime; <see cref="Error"/> while the clock is faulted.</summary>
public sealed record ClockSample(
    DateTimeOffset Timestamp,
    double UptimeSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

/// <summary>Publishes the time and uptime every <c>Dashboard:Clock:Interval</c>, on whole multiples of it (on the second).</summary>
public sealed class ClockProducer(
    IEventPublisher publisher,
    TimeProvider timeProvider,
    IOptions<DashboardOptions> options,
    RestartPolicy restartPolicy,
    ILogger<ClockProducer> logger) : BackgroundService
{
    private readonly DateTimeOffset _started = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        ProducerRestarts.RunAsync("clock", RunAsync, ShowFaultAsync, restartPolicy, logger, timeProvider, stoppingToken);

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var timer = new AlignedTimer(options.Value.Clock.Interval, timeProvider);

        // First sample at once: a client connecting now never waits for the first tick.
        while (true)
        {
            await publisher.PublishAsync(DashboardTopics.Clock, Sample(), stoppingToken);
            await timer.WaitForNextTickAsync(stoppingToken);
        }
    }

    private async ValueTask ShowFaultAsync(Exception ex, CancellationToken stoppingToken) =>
        await publisher.PublishAsync(DashboardTopics.Clock, Sample() with { Error = $"The clock failed: {ex.Message}" }, stoppingToken);

    internal ClockSample Sample()
    {
        var now = timeProvider.GetUtcNow();
        return new ClockSample(now, Math.Round((now - _started).TotalSeconds, 3));
    }
}
