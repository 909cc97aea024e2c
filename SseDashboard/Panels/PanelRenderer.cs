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
