using System.Globalization;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using SseDashboard.Auth;
using SseDashboard.Fleet;
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

    /// <summary>A session (Token or OpenIdConnect mode): the page offers Log out.</summary>
    public bool CanLogOut => auth.Value.Mode is AuthMode.Token or AuthMode.OpenIdConnect && User.Identity?.AuthenticationType == AuthSchemes.Session;

    /// <summary>
    /// The alerts panel's buttons post with this antiforgery token (null without that panel, in an embed, or while the
    /// keys cannot be read).
    /// </summary>
    public string? AntiforgeryToken { get; private set; }

    /// <summary>The page has the alerts panel: a header badge shows how many fire.</summary>
    public bool HasAlerts { get; private set; }

    /// <summary>The user as the proxy or the OpenID provider named them.</summary>
    public string? SignedInUser => auth.Value.Mode is AuthMode.Proxy or AuthMode.OpenIdConnect ? User.Identity?.Name : null;

    /// <summary>Whoever may make embed tokens (not an embed itself; not in Host mode, where none is made) gets an Embed action on each panel.</summary>
    public bool CanEmbed => !Embedded && auth.Value.Mode != AuthMode.Host;

    protected EventHub Hub => hub;

    protected PanelRenderer Renderer => panels;

    /// <summary>A fleet's dashboard node: per-host state panels are filled through their slots (see HostSlots).</summary>
    public bool IsFleet => HttpContext.RequestServices.GetService<FleetStatus>() is not null;

    /// <summary>In a fleet, the host this page's per-host panels show; null for every host (the grid, the merged log).</summary>
    public string? Host { get; private set; }

    /// <summary>The per-host state topics the page fills through slots: one hidden element takes their events.</summary>
    public string? SlotTopics { get; private set; }

    /// <summary>The fleet banner's first paint (a fleet's dashboard pages, not embeds).</summary>
    public IHtmlContent? Banner { get; private set; }

    /// <summary>The fleet grid, on <c>/</c> when the fleet has more than one host.</summary>
    public FleetGridView? Grid { get; protected set; }

    /// <summary>What the page was painted from: the stream resumes right after it.</summary>
    protected HubSnapshot? Snapshot { get; private set; }

    /// <summary>The hosts a merged log panel can be filtered to (more than one: it shows a host column).</summary>
    protected IReadOnlyList<string> LogHosts { get; set; } = [];

    /// <param name="host">In a fleet, the one host to show (snapshot, stream and history); null for every host.</param>
    /// <param name="alsoStreamed">Topics the page's stream takes besides its panels' (the grid's cards).</param>
    protected async Task<IActionResult> RenderAsync(
        IReadOnlyCollection<Topic> topics, string title, bool allTopics, string? host = null, IReadOnlyCollection<Topic>? alsoStreamed = null)
    {
        var theme = Request.Query["theme"].ToString();
        if (theme.Length > 0 && theme is not ("light" or "dark"))
        {
            return BadRequest($"theme must be 'light' or 'dark' (was '{theme}').");
        }

        Theme = theme.Length > 0 ? theme : null;
        Title = title;
        HasAlerts = !Embedded && topics.Contains(SseDashboard.Alerts.AlertTopics.Alerts);
        if (HasAlerts)
        {
            try
            {
                AntiforgeryToken = HttpContext.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>().GetAndStoreTokens(HttpContext).RequestToken;
            }
            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or InvalidOperationException or System.Data.Common.DbException)
            {
                AntiforgeryToken = null; // the key ring cannot be read now (a fleet's store down): the page still shows
            }
        }

        // In a fleet every per-host state panel is some host's: the one asked for, else this node's own.
        Host = host;
        var slotHost = IsFleet ? host ?? HttpContext.RequestServices.GetRequiredService<IOptions<NodeOptions>>().Value.HostName : null;
        var withBanner = IsFleet && !Embedded;
        var painted = topics.Concat(alsoStreamed ?? []).Concat(withBanner ? [FleetTopics.Fleet] : []).Distinct().ToArray();
        var slotted = slotHost is null ? [] : painted.Where(t => t.PerHost && t.Kind == TopicKind.State).ToArray();
        SlotTopics = slotted.Length > 0 ? string.Join(',', slotted.Select(t => t.Name)) : null;
        IReadOnlySet<string>? hosts = host is null ? null : new HashSet<string>([host], StringComparer.Ordinal);

        // The panels and the connect URL come from one atomic snapshot: the stream resumes exactly after what is painted.
        var snapshot = Snapshot = await hub.SnapshotAsync(painted, hosts, HttpContext.RequestAborted);
        var lastEventId = snapshot.LastEventId.ToString(CultureInfo.InvariantCulture);
        var query = allTopics
            ? $"?lastEventId={lastEventId}"
            : $"?topics={Uri.EscapeDataString(string.Join(',', painted.Select(t => t.Name)))}&lastEventId={lastEventId}";
        if (host is not null)
        {
            query += $"&hosts={Uri.EscapeDataString(host)}";
        }

        if (withBanner)
        {
            Banner = new HtmlString(await panels.RenderAsync(FleetTopics.Fleet, snapshot.Events[FleetTopics.Fleet.Name].Select(e => e.Payload!).ToArray()));
        }
        if (DashboardClaims.IsEmbed(User))
        {
            // The stream authenticates as the page did: with the embed token. The token's origins may frame the page;
            // a token with none may still be opened on its own, or framed by the dashboard itself.
            query += $"&{AuthSchemes.EmbedQuery}={Uri.EscapeDataString(AuthSchemes.EmbedToken(Request) ?? "")}";
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
            var slot = slotted.Contains(topic) ? HostSlots.Of(topic.Name, slotHost!) : null;
            var events = slot is null ? snapshot.Events[topic.Name] : snapshot.Events[topic.Name].Where(e => e.Host == slotHost).ToArray();
            views.Add(await PaintAsync(panels, topic, events, maxLogLines, CanEmbed && topic.Embeddable) with
            {
                Chart = history?.ChartOf(topic.Name),
                HasHistory = history is not null,
                Slot = slot,
                HostQuery = slot is null ? "" : $"host={Uri.EscapeDataString(slotHost!)}",
                HostsQuery = host is null ? "" : $"hosts={Uri.EscapeDataString(host)}",
                Hosts = topic.Kind == TopicKind.Stream && topic.PerHost && LogHosts.Count > 1 ? LogHosts : [],
            });
        }

        Panels = views;
        return Page();
    }

    /// <summary>A panel's first paint from <paramref name="events"/> (a snapshot's), as many lines as the page keeps.</summary>
    internal static async Task<PanelView> PaintAsync(PanelRenderer panels, Topic topic, IReadOnlyList<SseEvent> events, int maxLogLines, bool canEmbed)
    {
        var template = panels.TemplateOf(topic);
        var shown = NewestLines(template, events, maxLogLines);
        var html = await panels.RenderAsync(topic, shown.Select(e => template.WithEventId(e.Payload!, e.Id)).ToArray());
        return new PanelView(topic, shown.Length > 0, new HtmlString(html), maxLogLines, canEmbed);
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

    /// <summary>In a fleet, a per-host state panel's slot (<c>{topic}:{host}</c>): its fragments come as out-of-band swaps.</summary>
    public string? Slot { get; init; }

    /// <summary><c>host=…</c> for the panel's chart (empty: this node's host, or no fleet).</summary>
    public string HostQuery { get; init; } = "";

    /// <summary><c>hosts=…</c> for a stream panel's stored history (empty: every host's).</summary>
    public string HostsQuery { get; init; } = "";

    /// <summary>A merged stream panel's hosts (more than one): a host column, and a filter by host.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>The part of a URL's query this panel adds to what it asks the server for.</summary>
    public string Query(string query) => query.Length == 0 ? "" : "&" + query;
}
