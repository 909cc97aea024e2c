using System.Globalization;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using SseDashboard.Auth;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Pages;

/// <summary>What the page and the embeds share: first paint from one hub snapshot, and the URL that resumes right after it.</summary>
public abstract class DashboardPageModel(EventHub hub, PanelRenderer panels, IOptions<UiOptions> ui, IOptions<AuthOptions> auth) : PageModel
{
    public string Title { get; private set; } = "SseDashboard";

    /// <summary><c>light</c> or <c>dark</c> when asked for with <c>?theme=</c>; otherwise the reader's <c>prefers-color-scheme</c>.</summary>
    public string? Theme { get; private set; }

    public bool Embedded { get; protected init; }

    public string ConnectUrl { get; private set; } = "";

    public IReadOnlyList<PanelView> Panels { get; private set; } = [];

    /// <summary>Token mode's session: the page offers Log out.</summary>
    public bool CanLogOut => auth.Value.Mode == AuthMode.Token && User.Identity?.AuthenticationType == AuthSchemes.Session;

    /// <summary>Proxy mode's user, as the proxy named them.</summary>
    public string? ProxyUser => auth.Value.Mode == AuthMode.Proxy ? User.Identity?.Name : null;

    /// <summary>Whoever may make embed tokens (not an embed itself) gets an Embed action on each panel.</summary>
    public bool CanEmbed => !Embedded;

    protected EventHub Hub => hub;

    protected async Task<IActionResult> RenderAsync(IReadOnlyCollection<Topic> topics, string title, bool allTopics)
    {
        var theme = Request.Query["theme"].ToString();
        if (theme.Length > 0 && theme is not ("light" or "dark"))
        {
            return BadRequest($"theme must be 'light' or 'dark' (was '{theme}').");
        }

        Theme = theme.Length > 0 ? theme : null;
        Title = title;

        // The panels and the connect URL come from one atomic snapshot: the stream resumes exactly after what is painted.
        var snapshot = await hub.SnapshotAsync(topics, cancellationToken: HttpContext.RequestAborted);
        var lastEventId = snapshot.LastEventId.ToString(CultureInfo.InvariantCulture);
        var query = allTopics
            ? $"?lastEventId={lastEventId}"
            : $"?topics={Uri.EscapeDataString(string.Join(',', topics.Select(t => t.Name)))}&lastEventId={lastEventId}";
        if (DashboardClaims.IsEmbed(User))
        {
            // The stream authenticates as the page did: with the embed token. The token's origins may frame the page;
            // a token with none may still be opened on its own, or framed by the dashboard itself.
            query += $"&{AuthSchemes.EmbedQuery}={Uri.EscapeDataString(Request.Query[AuthSchemes.EmbedQuery].ToString())}";
            Response.Headers.ContentSecurityPolicy = PagesExtensions.ContentSecurityPolicy(
                DashboardClaims.Origins(User) is { Length: > 0 } origins ? origins : [Origins.Self]);
        }

        ConnectUrl = Url.Content("~/sse") + query;

        var maxLogLines = ui.Value.MaxLogLines;
        // A history store adds range pickers, scroll-back and search to the page; an embed shows its panel live only.
        var history = Embedded ? null : HttpContext.RequestServices.GetService<PanelHistory>();
        var views = new List<PanelView>(topics.Count);
        foreach (var topic in topics)
        {
            var template = panels.TemplateOf(topic);
            var shown = NewestLines(template, snapshot.Events[topic.Name], maxLogLines);
            var html = await panels.RenderAsync(topic, shown.Select(e => template.WithEventId(e.Payload!, e.Id)).ToArray());
            views.Add(new PanelView(topic, shown.Length > 0, new HtmlString(html), maxLogLines, CanEmbed)
            {
                Chart = history?.ChartOf(topic.Name),
                HasHistory = history is not null,
            });
        }

        Panels = views;
        return Page();
    }

    /// <summary>
    /// The newest events that together hold at least <paramref name="maxLines"/> lines (a log batch can carry
    /// hundreds): anything older would be trimmed by the page as soon as it loaded. A state topic has one event.
    /// </summary>
    private static SseEvent[] NewestLines(PanelTemplate template, IReadOnlyList<SseEvent> events, int maxLines)
    {
        var start = events.Count;
        for (var lines = 0; start > 0 && lines < maxLines; start--)
        {
            lines += template.CountLines(events[start - 1].Payload!);
        }

        return events.Skip(start).ToArray();
    }
}

/// <summary>One panel's first paint: its topic and its retained events rendered by the topic's panel.</summary>
public sealed record PanelView(Topic Topic, bool HasEvents, IHtmlContent Content, int MaxLogLines, bool CanEmbed)
{
    public string Title => Topic.Title;

    /// <summary>The panel's history charts: it gets a range picker.</summary>
    public PanelChart? Chart { get; init; }

    /// <summary>Stored history can be read: a stream panel loads earlier lines when scrolled to the top, and searches.</summary>
    public bool HasHistory { get; init; }

    public bool IsStream => Topic.Kind == TopicKind.Stream;
}
