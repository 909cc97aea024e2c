using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using SseDashboard.Streaming;

namespace SseDashboard.Panels;

/// <summary>Renders a topic's Razor panel to HTML (once per published event) and its payload to JSON.</summary>
/// <remarks>
/// Each render gets its own <see cref="HtmlRenderer"/>, disposed when the HTML is out: a renderer keeps every root
/// component it rendered until it is disposed, so one renderer for the app's lifetime would grow with every event.
/// </remarks>
public sealed class PanelRenderer(RendererScope scope, ILoggerFactory loggerFactory) : IEventRenderer
{
    public async ValueTask<string> RenderHtmlAsync(Topic topic, object payload)
    {
        await using var htmlRenderer = new HtmlRenderer(scope.Services, loggerFactory);
        return await htmlRenderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?> { ["Data"] = payload });
            var output = await htmlRenderer.RenderComponentAsync(topic.PanelType, parameters);
            return output.ToHtmlString();
        });
    }

    public byte[] RenderJson(Topic topic, object payload) => topic.SerializeJson(payload);
}

/// <summary>
/// The service scope the panel renderer resolves from, disposed with the app: Razor registers component services as
/// scoped, and the hub's renderer outlives every request.
/// </summary>
public sealed class RendererScope(IServiceScopeFactory scopes) : IDisposable
{
    private readonly IServiceScope _scope = scopes.CreateScope();

    public IServiceProvider Services => _scope.ServiceProvider;

    public void Dispose() => _scope.Dispose();
}
