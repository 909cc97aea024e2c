using Microsoft.Extensions.DependencyInjection.Extensions;
using SseDashboard.Streaming;

namespace SseDashboard.Panels;

public static class PanelExtensions
{
    /// <summary>
    /// Registers <paramref name="topic"/> with the hub, rendered by <typeparamref name="TPanel"/> for pushes and first
    /// paint alike. <paramref name="countLines"/> says how many lines a payload holds toward the page's line cap.
    /// </summary>
    public static IServiceCollection AddPanel<TPanel, TPayload>(this IServiceCollection services, Topic<TPayload> topic, Func<TPayload, int>? countLines = null)
        where TPanel : IPanel<TPayload>
        where TPayload : notnull
    {
        services.AddTopic(topic);
        services.AddSingleton<PanelTemplate>(new PanelTemplate<TPayload, TPanel>(topic, countLines));
        services.TryAddSingleton<RendererScope>();
        services.TryAddSingleton<PanelRenderer>();
        services.TryAddSingleton<IEventRenderer>(sp => sp.GetRequiredService<PanelRenderer>());
        return services;
    }
}
