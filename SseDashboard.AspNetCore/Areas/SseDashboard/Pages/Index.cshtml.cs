using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SseDashboard.Auth;
using SseDashboard.Fleet;
using SseDashboard.LogTail;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Pages;

/// <summary>
/// <c>/</c>: every topic's panel, one SSE connection. A fleet of more than one host gets the fleet grid instead, with
/// every host's log merged below it.
/// </summary>
public sealed class IndexModel(
    EventHub hub, PanelRenderer panels, IOptions<UiOptions> ui, IOptions<AuthOptions> auth, HostDirectory directory, TimeProvider timeProvider)
    : DashboardPageModel(hub, panels, ui, auth)
{
    public async Task<IActionResult> OnGetAsync()
    {
        if (IsFleet && await directory.ListAsync(HttpContext.RequestAborted) is { Count: > 1 } hosts)
        {
            LogHosts = hosts.Select(h => h.Host).ToArray();
            var page = await RenderAsync([LogTailTopics.Log], "SseDashboard · fleet", allTopics: false, alsoStreamed: FleetGridView.CardTopics);
            Grid = await FleetGridView.CreateAsync(hosts, Snapshot!, Renderer, timeProvider.GetUtcNow());
            return page;
        }

        // The figures first, the wide log below them.
        return await RenderAsync(PageTopics(Hub), "SseDashboard", allTopics: true);
    }

    /// <summary>A dashboard's panels: the figures first, the wide log below them; the fleet banner is not a panel.</summary>
    public static Topic[] PageTopics(EventHub hub) =>
        hub.Topics.Where(t => t != FleetTopics.Fleet).OrderBy(t => t.Kind == TopicKind.Stream).ToArray();
}
