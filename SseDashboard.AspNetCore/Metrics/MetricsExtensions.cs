using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SseDashboard.Panels;
using SseDashboard.Producers;
using SseDashboard.Streaming;

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
        // The range picker's charts: the fields the panels draw live, by their JSON names.
        services.AddPanelChart(sp => new PanelChart(
            MetricsTopics.Cpu.Name,
            [new("systemPercent", "Machine CPU", ChartUnit.Percent), new("processPercent", "This app's CPU", ChartUnit.Percent)],
            sp.GetRequiredService<IOptions<MetricsOptions>>().Value.Interval));
        services.AddPanelChart(sp => new PanelChart(
            MetricsTopics.Memory.Name,
            [new("usedPercent", "Memory used", ChartUnit.Percent), new("processWorkingSetBytes", "This app's working set", ChartUnit.Bytes)],
            sp.GetRequiredService<IOptions<MetricsOptions>>().Value.Interval));
        services.AddProducerDefaults();
        // TryAdd: a host (or a test) may register its own sampler first.
        services.TryAddSingleton<IMetricsSampler>(sp => new MetricsSampler(MetricsSources.Default, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<MetricsProducer>();
        // In a fleet, every host's cpu and memory read back from the store get their sparklines here.
        services.AddSingleton<IPayloadRestorer, StoredMetricsHistories>();
        return builder;
    }
}
