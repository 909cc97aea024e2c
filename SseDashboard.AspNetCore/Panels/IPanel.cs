using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.Web.HtmlRendering;
using SseDashboard.Streaming;

namespace SseDashboard.Panels;

/// <summary>A Razor component that renders one topic's payload: the first paint and every pushed fragment.</summary>
public interface IPanel<TPayload> : IComponent
{
    TPayload Data { get; set; }
}

/// <summary>Binds a topic to the panel that renders it, and says how many lines a payload counts for on the page.</summary>
public abstract class PanelTemplate(Topic topic)
{
    public Topic Topic { get; } = topic;

    /// <summary>What a payload counts toward the page's line cap (a log batch: its lines); 1 by default.</summary>
    public abstract int CountLines(object payload);

    /// <summary>
    /// The payload as rendered once its event's id is known (a first paint): a log batch marks each line with its id,
    /// so the page can ask for what came before. Unchanged by default; pushed fragments are rendered before ids exist.
    /// </summary>
    public abstract object WithEventId(object payload, long eventId);

    internal abstract Task<HtmlRootComponent> RenderAsync(HtmlRenderer renderer, object payload);
}

public sealed class PanelTemplate<TPayload, TPanel>(
    Topic<TPayload> topic, Func<TPayload, int>? countLines = null, Func<TPayload, long, TPayload>? withEventId = null) : PanelTemplate(topic)
    where TPayload : notnull
    where TPanel : IPanel<TPayload>
{
    public override int CountLines(object payload) => countLines is null ? 1 : Math.Max(1, countLines((TPayload)payload));

    public override object WithEventId(object payload, long eventId) => withEventId is null ? payload : withEventId((TPayload)payload, eventId);

    internal override Task<HtmlRootComponent> RenderAsync(HtmlRenderer renderer, object payload) =>
        renderer.RenderComponentAsync<TPanel>(ParameterView.FromDictionary(new Dictionary<string, object?>
        {
            [nameof(IPanel<TPayload>.Data)] = (TPayload)payload,
        }));
}
