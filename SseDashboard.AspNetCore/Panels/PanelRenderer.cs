using System.Text;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using SseDashboard.Streaming;

namespace SseDashboard.Panels;

/// <summary>
/// Renders topics' payloads through their panels: once per published event for the hub, and a whole first paint for
/// the pages, through the same template. JSON is the topic's own.
/// </summary>
/// <remarks>
/// Each render gets its own <see cref="HtmlRenderer"/>, disposed when the HTML is out: a renderer keeps every root
/// component it rendered until it is disposed, so one renderer for the app's lifetime would grow with every event.
/// </remarks>
public sealed class PanelRenderer(IEnumerable<PanelTemplate> templates, RendererScope scope, ILoggerFactory loggerFactory) : IEventRenderer
{
    private readonly Dictionary<Topic, PanelTemplate> _templates = templates.ToDictionary(t => t.Topic);

    public PanelTemplate TemplateOf(Topic topic) =>
        _templates.TryGetValue(topic, out var template)
            ? template
            : throw new InvalidOperationException($"Topic '{topic.Name}' has no panel registered.");

    public ValueTask<string> RenderHtmlAsync(Topic topic, object payload) => new(RenderAsync(topic, [payload]));

    /// <summary>The payloads' fragments one after the other, as the page would have them after each push.</summary>
    public async Task<string> RenderAsync(Topic topic, IReadOnlyList<object> payloads)
    {
        var template = TemplateOf(topic);
        await using var htmlRenderer = new HtmlRenderer(scope.Services, loggerFactory);
        return await htmlRenderer.Dispatcher.InvokeAsync(async () =>
        {
            var html = new StringBuilder();
            foreach (var payload in payloads)
            {
                html.Append((await template.RenderAsync(htmlRenderer, payload)).ToHtmlString());
            }

            return html.ToString();
        });
    }

    /// <summary>Any other component's HTML (a chart drawn from the history store), rendered the same way.</summary>
    public async Task<string> RenderComponentAsync<TComponent>(IDictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        await using var htmlRenderer = new HtmlRenderer(scope.Services, loggerFactory);
        return await htmlRenderer.Dispatcher.InvokeAsync(async () =>
            (await htmlRenderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
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
