using Microsoft.Extensions.Options;
using SseDashboard.Panels;
using SseDashboard.Producers;
using SseDashboard.Streaming;

namespace SseDashboard.Clock;

public static class ClockExtensions
{
    /// <summary>The <c>clock</c> topic and panel, its producer and <c>Dashboard:Clock</c>.</summary>
    public static WebApplicationBuilder AddClock(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<ClockOptions, ValidateClockOptions>(ClockOptions.Section);
        services.AddPanel<ClockPanel, ClockSample>(ClockTopics.Clock);
        services.AddProducerDefaults();
        services.AddHostedService<ClockProducer>();

        // The clock publishes every interval, so a hub silent for three of them (5 s at least) is stuck.
        services.AddOptions<StreamingHealthOptions>().Configure<IOptions<ClockOptions>>((health, clock) =>
            health.MaxSilence = TimeSpan.FromTicks(Math.Max(health.MaxSilence.Ticks, clock.Value.Interval.Ticks * 3)));
        return builder;
    }
}
