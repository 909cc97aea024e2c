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
        using var timer = new PeriodicTimer(options.Value.Metrics.Interval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var (cpu, memory) = sampler.Sample();
            await publisher.PublishAllAsync([DashboardTopics.Cpu.With(cpu), DashboardTopics.Memory.With(memory)], stoppingToken);
        }
    }

    private async ValueTask ShowFaultAsync(Exception ex, CancellationToken stoppingToken)
    {
        var now = timeProvider.GetUtcNow();
        var error = $"Metrics sampling failed: {ex.Message}";
        await publisher.PublishAllAsync(
            [DashboardTopics.Cpu.With(CpuSample.Faulted(now, error)), DashboardTopics.Memory.With(MemorySample.Faulted(now, error))],
            stoppingToken);
    }
}
