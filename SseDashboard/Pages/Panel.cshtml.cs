using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Pages;

/// <summary><c>/panels/{name}</c>: one panel without page chrome, for embedding, with its own connection.</summary>
public sealed class PanelModel : DashboardPageModel
{
    public PanelModel(EventHub hub, PanelRenderer panels, IOptions<UiOptions> ui)
        : base(hub, panels, ui) => Embedded = true;

    public async Task<IActionResult> OnGetAsync(string name)
    {
        if (!Hub.TryGetTopic(name, out var topic))
        {
            return NotFound($"No panel named '{name}'. Panels: {string.Join(", ", Hub.Topics.Select(t => t.Name))}.");
        }

        return await RenderAsync([topic], $"SseDashboard · {topic.Title}", allTopics: false);
    }
}
