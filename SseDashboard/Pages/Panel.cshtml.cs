using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SseDashboard.Auth;
using SseDashboard.Fleet;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Pages;

/// <summary><c>/panels/{name}</c>: one panel without page chrome, for embedding, with its own connection.</summary>
public sealed class PanelModel : DashboardPageModel
{
    private readonly IStreamAccess _access;

    public PanelModel(EventHub hub, PanelRenderer panels, IOptions<UiOptions> ui, IOptions<AuthOptions> auth, IStreamAccess access)
        : base(hub, panels, ui, auth)
    {
        Embedded = true;
        _access = access;
    }

    /// <param name="host">In a fleet, the host whose panel this is (default: this node's; for the log, every host's).</param>
    public async Task<IActionResult> OnGetAsync(string name, string? host)
    {
        if (host is not null && !HostNames.IsValid(host))
        {
            return BadRequest($"host must be a host name ({HostNames.Rule}); was '{host}'.");
        }

        if (!Hub.TryGetTopic(name, out var topic))
        {
            return NotFound($"No panel named '{name}'. Panels: {string.Join(", ", Hub.Topics.Select(t => t.Name))}.");
        }

        if (_access.AllowedTopics(HttpContext) is { } allowed && !allowed.Contains(topic.Name))
        {
            return Forbid();
        }

        return await RenderAsync([topic], $"SseDashboard · {topic.Title}", allTopics: false, host);
    }
}
