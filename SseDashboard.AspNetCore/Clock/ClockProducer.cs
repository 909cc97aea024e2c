using System.Diagnostics;
using Microsoft.Extensions.Options;
using SseDashboard.Producers;
using SseDashboard.Streaming;

namespace SseDashboard.Clock;

/// <summary>Publishes the time and uptime every <c>Dashboard:Clock:Interval</c>, on whole multiples of it (on the second).</summary>
public sealed class ClockProducer(
    IEventPublisher publisher,
    TimeProvider timeProvider,
    IOptions<ClockOptions> options,
    RestartPolicy restartPolicy,
    ILogger<ClockProducer> logger) : RestartingProducer("clock", restartPolicy, timeProvider, logger)
{
    private readonly DateTimeOffset _started = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var timer = new AlignedTimer(options.Value.Interval, TimeProvider);

        // First sample at once: a client connecting now never waits for the first tick.
        while (true)
        {
            await publisher.PublishAsync(ClockTopics.Clock, Sample(), stoppingToken);
            await timer.WaitForNextTickAsync(stoppingToken);
        }
    }

    protected override async ValueTask ShowFaultAsync(Exception fault, CancellationToken stoppingToken) =>
        await publisher.PublishAsync(ClockTopics.Clock, Sample() with { Error = $"The clock failed: {fault.Message}" }, stoppingToken);

    private ClockSample Sample()
    {
        var now = TimeProvider.GetUtcNow();
        return new ClockSample(now, Math.Round((now - _started).TotalSeconds, 3));
    }
}
