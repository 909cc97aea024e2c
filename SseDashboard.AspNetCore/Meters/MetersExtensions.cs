using Microsoft.Extensions.Options;
using SseDashboard.Panels;
using SseDashboard.Producers;
using SseDashboard.Streaming;

namespace SseDashboard.Meters;

public static class MetersExtensions
{
    /// <summary>
    /// The <c>meters</c> topic and panel: the app's own instruments (<c>Dashboard:Meters:Instruments</c>) read in-process
    /// with a <c>MeterListener</c>, every <c>Dashboard:Meters:Interval</c>.
    /// </summary>
    public static WebApplicationBuilder AddMeters(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<MetersOptions, ValidateMetersOptions>(MetersOptions.Section);
        services.AddPanel<MetersPanel, MetersSample>(MetersTopics.Meters);
        // The range picker's charts: each configured instrument's value (stored per instrument name, see SampleFields).
        services.AddPanelChart(sp =>
        {
            var meters = sp.GetRequiredService<IOptions<MetersOptions>>().Value;
            return new PanelChart(
                MetersTopics.Meters.Name, [.. meters.EffectiveInstruments.Select(name => new ChartSeries(name, name, ChartUnit.Number))], meters.Interval);
        });
        services.AddProducerDefaults();
        services.AddSingleton<MeterSampler>();
        services.AddHostedService<MetersProducer>();
        // In a fleet, every host's meters read back from the store get their sparklines here.
        services.AddSingleton<IPayloadRestorer, StoredMetersHistories>();
        return builder;
    }
}
