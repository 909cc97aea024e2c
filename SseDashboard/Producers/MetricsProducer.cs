using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Producers;

/// <summary>Publishes <c>cpu</c> and <c>memory</c> every <c>Dashboard:Metrics:Interval</c>.</summary>
public sealed class MetricsProducer(
    IMetricsSampler sampler,
    IEventPublisher publisher,
    TimeProvider timeProvider,
    IOptions<DashboardOptions> options,
    RestartPolicy restartPolicy,
    ILogger<MetricsProducer> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        ProducerRestarts.RunAsync("metrics", RunAsync, ShowFaultAsync, restartPolicy, logger, timeProvider, stoppingToken);

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Metrics.Interval;

        // The first sample comes after a short baseline rather than a whole interval (CPU % is a difference of two
        // readings), so the panels fill within a moment of start even with a long interval. Then half an interval
        // after the clock's ticks: fanned out at the same moment as the clock, the two events mostly still took
        // two writes per client, and the second waited for the first (10,000 clients: p99 194 ms vs 164 ms apart).
        await Task.Delay(interval < FirstSampleAfter ? interval : FirstSampleAfter, timeProvider, stoppingToken);
        var timer = new AlignedTimer(interval, timeProvider, offset: interval / 2);
        while (true)
        {
            var (cpu, memory) = sampler.Sample();
            await publisher.PublishAllAsync([DashboardTopics.Cpu.With(cpu), DashboardTopics.Memory.With(memory)], stoppingToken);
            await timer.WaitForNextTickAsync(stoppingToken);
        }
    }

    private static readonly TimeSpan FirstSampleAfter = TimeSpan.FromMilliseconds(250);

    private async ValueTask ShowFaultAsync(Exception ex, CancellationToken stoppingToken)
    {
        var now = timeProvider.GetUtcNow();
        var error = $"Metrics sampling failed: {ex.Message}";
        await publisher.PublishAllAsync(
            [DashboardTopics.Cpu.With(CpuSample.Faulted(now, error)), DashboardTopics.Memory.With(MemorySample.Faulted(now, error))],
            stoppingToken);
    }
}
