using System.Net;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Fleet;

/// <summary>
/// How a fleet's HTML fragments reach the right host's panel: a per-host state topic's fragment is an htmx out-of-band
/// swap into the element whose <c>data-slot</c> is <c>{topic}:{host}</c> (a card of the fleet grid, a host page's
/// panel, an embed), so one stream of every host's events fills every host's slots and a host filter changes nothing.
/// </summary>
public static class HostSlots
{
    public static string Of(string topic, string host) => $"{topic}:{host}";

    /// <summary>
    /// The fragment as swapped into its slot. <c>data-for</c> names the slot again, for a page that has none for it
    /// yet (a new host on the grid): htmx reports such a fragment with <c>htmx:oobErrorNoTarget</c>.
    /// </summary>
    public static string OutOfBand(string topic, string host, string html)
    {
        // Host names are letters, digits, '.', '-' and '_' (HostNames.IsValid): nothing to escape in the selector.
        var slot = WebUtility.HtmlEncode(Of(topic, host));
        return $"<div hx-swap-oob=\"innerHTML:[data-slot='{slot}']\" data-for=\"{slot}\">{html}</div>";
    }
}

/// <summary>A fleet dashboard node's renderer: the panels' fragments, per-host state topics' as out-of-band swaps.</summary>
public sealed class HostSlotRenderer(PanelRenderer panels) : IEventRenderer
{
    public async ValueTask<string> RenderHtmlAsync(Topic topic, object payload)
    {
        var html = await panels.RenderHtmlAsync(topic, payload);
        return topic.Kind == TopicKind.State && topic.HostOf(payload) is { Length: > 0 } host
            ? HostSlots.OutOfBand(topic.Name, host, html)
            : html;
    }

    public byte[] RenderJson(Topic topic, object payload) => panels.RenderJson(topic, payload);
}
