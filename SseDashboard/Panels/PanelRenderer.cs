using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using SseDashboard.Streaming;

namespace SseDashboard.Panels;

/// <summary>Renders a topic's Razor panel to HTML (once per published event) and its payload to JSON.</summary>
public sealed class PanelRenderer(HtmlRenderer htmlRenderer) : IEventRenderer
{
    public async ValueTask<string> RenderHtmlAsync(Topic topic, object payload) =>
        await htmlRenderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?> { ["Data"] = payload });
            var output = await htmlRenderer.RenderComponentAsync(topic.PanelType, parameters);
            return output.ToHtmlString();
        });

    public byte[] RenderJson(Topic topic, object payload) => topic.SerializeJson(payload);
}

/// <summary>
/// The service scope the app-lifetime panel renderer resolves from, disposed with the app: Razor registers component
/// services as scoped, and the hub's renderer outlives every request.
/// </summary>
public sealed class RendererScope(IServiceScopeFactory scopes) : IDisposable
{
    private readonly IServiceScope _scope = scopes.CreateScope();

    public IServiceProvider Services => _scope.ServiceProvider;

    public void Dispose() => _scope.Dispose();
}
