using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.Options;
using SseDashboard.Fleet;
using SseDashboard.Mount;
using SseDashboard.Pages;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.TagHelpers;

/// <summary>
/// <c>&lt;sse-panel name="cpu" /&gt;</c> in a host app's own page: the panel's first paint, kept live by the page's one
/// stream (<c>&lt;sse-dashboard-scripts /&gt;</c>), same origin, the host's own session. <c>host="web-1"</c> in a fleet.
/// </summary>
[HtmlTargetElement("sse-panel", TagStructure = TagStructure.WithoutEndTag)]
public sealed class SsePanelTagHelper(
    EventHub hub, PanelRenderer panels, IOptions<UiOptions> ui, IHtmlHelper html, DashboardMount mount, IServiceProvider services) : TagHelper
{
    public const string PanelPartial = "/Areas/SseDashboard/Pages/Shared/_Panel.cshtml";

    /// <summary>The panel: a topic's name (<c>cpu</c>, <c>memory</c>, <c>log</c>, <c>meters</c>, …).</summary>
    public string Name { get; set; } = "";

    /// <summary>In a fleet, the host whose panel this is; none: this node's own (every host's, for the log).</summary>
    public string? Host { get; set; }

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        if (!hub.TryGetTopic(Name, out var topic))
        {
            throw new InvalidOperationException($"<sse-panel name=\"{Name}\">: no such panel. Panels: {string.Join(", ", hub.Topics.Select(t => t.Name))}.");
        }

        if (Host is not null && !HostNames.IsValid(Host))
        {
            throw new InvalidOperationException($"<sse-panel host=\"{Host}\">: a host name is {HostNames.Rule}.");
        }

        if ((await HostPage.ForAsync(ViewContext.HttpContext)).Snapshot is not { } snapshot)
        {
            // Not for this user: nothing on the page, as the stream would refuse them.
            output.SuppressOutput();
            return;
        }

        var fleet = services.GetService<FleetStatus>() is not null;
        var slotHost = fleet && topic.PerHost && topic.Kind == TopicKind.State
            ? Host ?? services.GetRequiredService<IOptions<NodeOptions>>().Value.HostName
            : null;
        var events = snapshot.Events[topic.Name];
        if (slotHost is not null || (Host is not null && topic.Kind == TopicKind.Stream))
        {
            var host = slotHost ?? Host;
            events = events.Where(e => e.Host == host).ToArray();
        }

        var history = services.GetService<PanelHistory>();
        var view = await DashboardPageModel.PaintAsync(panels, topic, events, ui.Value.MaxLogLines, canEmbed: false) with
        {
            Chart = history?.ChartOf(topic.Name),
            HasHistory = history is not null,
            Slot = slotHost is null ? null : HostSlots.Of(topic.Name, slotHost),
            HostQuery = slotHost is null ? "" : $"host={Uri.EscapeDataString(slotHost)}",
            HostsQuery = Host is null || topic.Kind != TopicKind.Stream ? "" : $"hosts={Uri.EscapeDataString(Host)}",
        };

        // The panel's URLs (charts, stored history) are the dashboard's: written as if the page were below the mount.
        ((IViewContextAware)html).Contextualize(ViewContext);
        var request = ViewContext.HttpContext.Request;
        var pathBase = request.PathBase;
        request.PathBase = pathBase.Add(mount.Path);
        try
        {
            output.Content.SetHtmlContent(await html.PartialAsync(PanelPartial, view));
        }
        finally
        {
            request.PathBase = pathBase;
        }

        output.TagName = "div";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("class", "sse-panel-host");
        output.Attributes.SetAttribute("data-sse-panel", topic.Name);
        if (view.Slot is not null)
        {
            output.Attributes.SetAttribute("data-sse-slotted", "true");
        }

        // In a fleet, the one host whose events the panel shows: a page whose panels all have one streams theirs only.
        if (fleet && (slotHost ?? (topic.Kind == TopicKind.Stream ? Host : null)) is { } shown)
        {
            output.Attributes.SetAttribute("data-sse-host", shown);
        }
    }
}
