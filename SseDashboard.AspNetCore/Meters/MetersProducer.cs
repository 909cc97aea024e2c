using Microsoft.Extensions.Options;
using SseDashboard.Producers;
using SseDashboard.Streaming;

namespace SseDashboard.Meters;

/// <summary>Publishes <c>meters</c> every <c>Dashboard:Meters:Interval</c>, on the clock's boundaries.</summary>
public sealed class MetersProducer(
    MeterSampler sampler,
    IEventPublisher publisher,
    TimeProvider timeProvider,
    IOptions<MetersOptions> options,
    RestartPolicy restartPolicy,
    ILogger<MetersProducer> logger) : RestartingProducer("meters", restartPolicy, timeProvider, logger)
{
    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        // Rates are over an interval: the first sample comes at least half of one after the sampler began, then on
        // the boundaries.
        var interval = options.Value.Interval;
        await Task.Delay(interval / 2, TimeProvider, stoppingToken);
        var timer = new AlignedTimer(interval, TimeProvider);
        while (true)
        {
            await timer.WaitForNextTickAsync(stoppingToken);
            await publisher.PublishAsync(MetersTopics.Meters, sampler.Sample(), stoppingToken);
        }
    }

    protected override async ValueTask ShowFaultAsync(Exception fault, CancellationToken stoppingToken) =>
        await publisher.PublishAsync(MetersTopics.Meters, MetersSample.Faulted(TimeProvider.GetUtcNow(), $"Meters failed: {fault.Message}"), stoppingToken);
}
