using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.Options;
using SseDashboard;
using SseDashboard.Alerts;
using SseDashboard.AppLog;
using SseDashboard.Auth;
using SseDashboard.Clock;
using SseDashboard.Fleet;
using SseDashboard.History;
using SseDashboard.LogTail;
using SseDashboard.Meters;
using SseDashboard.Metrics;
using SseDashboard.Mount;
using SseDashboard.Pages;
using SseDashboard.Server;
using SseDashboard.Streaming;

// Beside WebApplicationBuilder and IEndpointRouteBuilder: a host needs no using to find these.
namespace Microsoft.AspNetCore.Builder;

/// <summary>The dashboard inside an ASP.NET Core app: <c>builder.AddSseDashboard()</c>, then <c>app.MapSseDashboard("/ops")</c>.</summary>
public static class SseDashboardExtensions
{
    /// <summary>
    /// The hub, its history, the chosen panels and their producers, who may look, and the pages; settings from the
    /// <c>Dashboard</c> section, then <paramref name="configure"/>. Nothing is served until <c>MapSseDashboard</c>.
    /// </summary>
    public static WebApplicationBuilder AddSseDashboard(this WebApplicationBuilder builder, Action<SseDashboardOptions>? configure = null)
    {
        var options = new SseDashboardOptions();
        builder.Configuration.GetSection(SseDashboardOptions.Section).Bind(options);
        configure?.Invoke(options);
        var features = options.Features;

        // The library's front-end files from its build in any environment (a published app has them in its wwwroot).
        builder.WebHost.UseStaticWebAssets();
        var mount = new DashboardMount();
        builder.Services.AddSingleton(mount);
        builder.Services.AddSingleton<IActionDescriptorChangeProvider>(mount);
        builder.Services.AddTransient<IStartupFilter, MountStartupFilter>();
        builder.Services.AddSingleton(Options.Create(options));

        // The hub and its /sse endpoint: knows topics, not panels.
        builder.AddStreaming();

        // Every published event stored (SQLite, PostgreSQL or none): ids go on across restarts, and the history API.
        builder.AddHistory();

        // Which host this process reports; with PostgreSQL, one of a fleet's dashboard nodes.
        builder.AddFleet();

        // The panels: each registers its topics, its panel and its producer.
        if (features.HasFlag(DashboardFeatures.Clock))
        {
            builder.AddClock();
        }

        if (features.HasFlag(DashboardFeatures.Metrics))
        {
            builder.AddMetrics();
        }

        var appLog = features.HasFlag(DashboardFeatures.AppLog) && builder.Configuration.GetValue(AppLogOptions.Section + ":Enabled", true);
        if (features.HasFlag(DashboardFeatures.LogTail) || appLog)
        {
            builder.AddLogTopic();
        }

        if (features.HasFlag(DashboardFeatures.LogTail))
        {
            builder.AddLogFollower();
        }

        if (features.HasFlag(DashboardFeatures.Server))
        {
            builder.AddServerPanel();
        }

        if (appLog)
        {
            builder.AddAppLog();
        }

        if (features.HasFlag(DashboardFeatures.Meters) && builder.Configuration.GetValue(MetersOptions.Section + ":Enabled", true))
        {
            builder.AddMeters();
        }

        // Rules on what the panels show, notifying webhooks; evaluated on one node of a fleet.
        if (features.HasFlag(DashboardFeatures.Alerts) && AlertsExtensions.HasRules(builder))
        {
            builder.AddAlerts();
        }

        // Who may look: the host's own sign-in, a login token, proxy users or none; embed tokens; who may stream what.
        builder.AddDashboardAuth();

        // The page, the embeddable panels and their front-end files.
        builder.AddPages();
        return builder;
    }

    /// <summary>
    /// The dashboard's health checks (its stream flows, its store is written) among the app's own, tagged
    /// <c>sse-dashboard</c>: for a host that wants the dashboard's health to count in its own. Left out, the
    /// dashboard never changes the app's health.
    /// </summary>
    public static IHealthChecksBuilder AddSseDashboardChecks(this IHealthChecksBuilder checks) =>
        checks.AddStreamingCheck().AddHistoryCheck();

    /// <summary>
    /// Every page, stream, API and front-end file of the dashboard below <paramref name="path"/> (<c>/ops</c>;
    /// <c>/</c> for the root), guarded by the dashboard's own policy. The answer is one builder over all of them:
    /// <c>.RequireAuthorization("ops")</c> adds the host's. Called once per app.
    /// </summary>
    public static IEndpointConventionBuilder MapSseDashboard(this IEndpointRouteBuilder endpoints, string path = "/")
    {
        if (endpoints is RouteGroupBuilder)
        {
            // The pages are routed by the mount path alone, not by a group's prefix.
            throw new ArgumentException("MapSseDashboard takes the app itself (app.MapSseDashboard(\"/admin/ops\")), not a route group.", nameof(endpoints));
        }

        var services = endpoints.ServiceProvider;
        var mount = services.GetService<DashboardMount>()
            ?? throw new InvalidOperationException("Call builder.AddSseDashboard() before app.MapSseDashboard(...).");
        mount.EnsureUnmounted(path);
        var prefix = DashboardMount.Normalize(path);

        var hostSignIn = services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthMode.Host;
        var group = endpoints.MapGroup(prefix);
        group.MapStreaming(openHealth: !hostSignIn);
        group.MapAuth();
        group.MapHistory();
        group.MapFleet();
        group.MapAlerts();
        group.MapAssets(prefix);
        var dashboard = new DashboardEndpointConventionBuilder(group, endpoints.MapRazorPages());
        dashboard.AddToPages(MountedEndpoints.PagesConvention(
            mount, services.GetRequiredService<IOptions<EmbedOptions>>().Value, services.GetRequiredService<IOptions<AuthOptions>>().Value));
        dashboard.RequireAuthorization(DashboardPolicy.Name);
        mount.Set(prefix);
        return dashboard;
    }
}
