using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Pages;

/// <summary><c>/</c>: every topic's panel, one SSE connection.</summary>
public sealed class IndexModel(EventHub hub, PanelRenderer panels, IOptions<UiOptions> ui) : DashboardPageModel(hub, panels, ui)
{
    // The figures first, the wide log below them.
    public Task<IActionResult> OnGetAsync() =>
        RenderAsync(Hub.Topics.OrderBy(t => t.Kind == TopicKind.Stream).ToArray(), "SseDashboard", allTopics: true);
}
