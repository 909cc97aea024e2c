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

    private readonly HostDirectory _directory;

    public PanelModel(EventHub hub, PanelRenderer panels, IOptions<UiOptions> ui, IOptions<AuthOptions> auth, IStreamAccess access, HostDirectory directory)
        : base(hub, panels, ui, auth)
    {
        Embedded = true;
        _access = access;
        _directory = directory;
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

        if (IsFleet && host is null && topic.Kind == TopicKind.Stream)
        {
            // Every host's log, merged: with the host column and filter, as on the grid.
            LogHosts = (await _directory.ListAsync(HttpContext.RequestAborted)).Select(h => h.Host).ToArray();
        }

        return await RenderAsync([topic], $"SseDashboard · {topic.Title}", allTopics: false, host);
    }
}
