using Microsoft.Extensions.DependencyInjection.Extensions;
using SseDashboard.Panels;
using SseDashboard.Producers;

namespace SseDashboard.Metrics;

public static class MetricsExtensions
{
    /// <summary>The <c>cpu</c> and <c>memory</c> topics and panels, their sampler and producer, and <c>Dashboard:Metrics</c>.</summary>
    public static WebApplicationBuilder AddMetrics(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<MetricsOptions, ValidateMetricsOptions>(MetricsOptions.Section);
        services.AddPanel<CpuPanel, CpuSample>(MetricsTopics.Cpu);
        services.AddPanel<MemoryPanel, MemorySample>(MetricsTopics.Memory);
        services.AddProducerDefaults();
        // TryAdd: a host (or a test) may register its own sampler first.
        services.TryAddSingleton<IMetricsSampler>(sp => new MetricsSampler(MetricsSources.Default, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<MetricsProducer>();
        return builder;
    }
}
