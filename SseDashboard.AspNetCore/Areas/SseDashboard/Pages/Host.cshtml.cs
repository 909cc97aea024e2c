using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SseDashboard.Auth;
using SseDashboard.Fleet;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Pages;

/// <summary><c>/hosts/{host}</c>: the dashboard of one host of the fleet (its panels, its log, its history).</summary>
public sealed class HostModel(EventHub hub, PanelRenderer panels, IOptions<UiOptions> ui, IOptions<AuthOptions> auth, HostDirectory directory)
    : DashboardPageModel(hub, panels, ui, auth)
{
    public async Task<IActionResult> OnGetAsync(string host)
    {
        if (!HostNames.IsValid(host))
        {
            return BadRequest($"'{host}' is not a host name ({HostNames.Rule}).");
        }

        var hosts = await directory.ListAsync(HttpContext.RequestAborted);
        if (!hosts.Any(h => h.Host == host))
        {
            return NotFound($"No host '{host}' was seen in the last {HostsApi.ListedFor.TotalHours:0} hours. Hosts: {string.Join(", ", hosts.Select(h => h.Host))}.");
        }

        return await RenderAsync(IndexModel.PageTopics(Hub), $"{host} · SseDashboard", allTopics: true, host: host);
    }
}
