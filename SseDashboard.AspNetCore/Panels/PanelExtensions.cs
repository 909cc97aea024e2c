using Microsoft.Extensions.DependencyInjection.Extensions;
using SseDashboard.Streaming;

namespace SseDashboard.Panels;

public static class PanelExtensions
{
    /// <summary>
    /// Registers <paramref name="topic"/> with the hub, rendered by <typeparamref name="TPanel"/> for pushes and first
    /// paint alike. <paramref name="countLines"/> says how many lines a payload holds toward the page's line cap;
    /// <paramref name="withEventId"/> gives a first paint's payload its event's id.
    /// </summary>
    public static IServiceCollection AddPanel<TPanel, TPayload>(
        this IServiceCollection services, Topic<TPayload> topic, Func<TPayload, int>? countLines = null, Func<TPayload, long, TPayload>? withEventId = null)
        where TPanel : IPanel<TPayload>
        where TPayload : notnull
    {
        services.AddTopic(topic);
        services.AddSingleton<PanelTemplate>(new PanelTemplate<TPayload, TPanel>(topic, countLines, withEventId));
        services.TryAddSingleton<RendererScope>();
        services.TryAddSingleton<PanelRenderer>();
        services.TryAddSingleton<IEventRenderer>(sp => sp.GetRequiredService<PanelRenderer>());
        return services;
    }

    /// <summary>
    /// A history chart for a state panel: drawn from the history store, when there is one, for the range picker's
    /// ranges. Registered by whoever registers the topic, which knows its fields.
    /// </summary>
    public static IServiceCollection AddPanelChart(this IServiceCollection services, Func<IServiceProvider, PanelChart> chart)
    {
        services.AddSingleton(chart);
        return services;
    }
}
