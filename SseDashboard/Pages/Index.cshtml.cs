using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SseDashboard.Auth;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Pages;

/// <summary><c>/</c>: every topic's panel, one SSE connection.</summary>
public sealed class IndexModel(EventHub hub, PanelRenderer panels, IOptions<UiOptions> ui, IOptions<AuthOptions> auth)
    : DashboardPageModel(hub, panels, ui, auth)
{
    // The figures first, the wide log below them.
    public Task<IActionResult> OnGetAsync() =>
        RenderAsync(Hub.Topics.OrderBy(t => t.Kind == TopicKind.Stream).ToArray(), "SseDashboard", allTopics: true);
}
