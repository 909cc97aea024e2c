using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using SseDashboard.Mount;

namespace SseDashboard.Alerts;

/// <summary>The link a notification carries: the dashboard at the rule's place on the page.</summary>
public sealed class AlertLinks(IOptions<AlertsOptions> options, IServer server, DashboardMount mount)
{
    public string To(string rule) => $"{Base()}/#{AlertRule.Anchor(rule)}";

    private string Base()
    {
        if (options.Value.DashboardUrl is { Length: > 0 } configured)
        {
            return configured.TrimEnd('/');
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5000";
        var uri = new Uri(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal));
        return $"{uri.Scheme}://{uri.Authority}{mount.Path}".TrimEnd('/');
    }
}
