using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Producers;

public static class ProducerExtensions
{
    /// <summary>The clock, metrics and log tail producers, their topics and the validation of their options.</summary>
    public static WebApplicationBuilder AddDashboardProducers(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<DashboardOptions>, ValidateProducerOptions>();
        // TryAdd: a host (or a test) may register its own restart policy or sampler first.
        services.TryAddSingleton(RestartPolicy.Default);

        services.AddSingleton<Topic>(DashboardTopics.Clock);
        services.AddSingleton<Topic>(DashboardTopics.Cpu);
        services.AddSingleton<Topic>(DashboardTopics.Memory);
        services.AddSingleton<Topic>(DashboardTopics.Log);

        services.TryAddSingleton<IMetricsSampler>(sp => new MetricsSampler(MetricsSources.Default, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<ClockProducer>();
        services.AddHostedService<MetricsProducer>();
        services.AddHostedService<LogTailProducer>();
        return builder;
    }
}
