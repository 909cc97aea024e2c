using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SseDashboard.History;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Fleet;

public static class FleetExtensions
{
    /// <summary>
    /// What this process is (<c>Dashboard:Role</c>), the host its events are about (<c>Dashboard:HostName</c>), and with
    /// a PostgreSQL store, a fleet: this host's events go to the store first, and a dashboard node reads every host's
    /// from there. Registered after the hub and the store, so the reader starts after the hub has opened the store.
    /// </summary>
    public static WebApplicationBuilder AddFleet(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<NodeOptions, ValidateNodeOptions>(NodeOptions.Section);
        services.AddValidatedOptions<FleetOptions, ValidateFleetOptions>(FleetOptions.Section);
        services.AddOptions<OutageOptions>().Configure<IOptions<FleetOptions>>((outage, fleet) => outage.Lines = fleet.Value.AgentBufferLines);
        services.AddSingleton(sp =>
        {
            var node = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
            return new LocalHost(node.HostName, node.Role.ToString());
        });
        services.AddSingleton(sp => new HostDirectory(
            sp.GetRequiredService<EventHub>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<NodeOptions>>(),
            sp.GetRequiredService<IOptions<Metrics.MetricsOptions>>(),
            sp.GetService<HistoryStore>()));
        if (builder.Configuration.GetValue(HistoryOptions.Section + ":Provider", StoreProvider.Sqlite) != StoreProvider.Postgres)
        {
            return builder;
        }

        var dashboard = RoleOf(builder) == NodeRole.Dashboard;
        services.AddSingleton<IEventPublisher>(sp => new FleetPublisher(
            sp.GetRequiredService<HistoryWriter>(),
            sp.GetRequiredService<IOptions<NodeOptions>>(),
            dashboard ? sp.GetRequiredService<EventHub>() : null));
        if (dashboard)
        {
            services.AddSingleton(sp => (PostgresHistoryStore)sp.GetRequiredService<HistoryStore>());
            services.AddSingleton<FleetStatus>();
            services.AddHostedService<FleetReader>();

            // The banner, and every host's fragments swapped into that host's slots (see HostSlots).
            services.AddPanel<FleetBanner, FleetState>(FleetTopics.Fleet);
            services.Replace(ServiceDescriptor.Singleton<IEventRenderer, HostSlotRenderer>());
        }

        return builder;
    }

    public static NodeRole RoleOf(WebApplicationBuilder builder) =>
        builder.Configuration.GetValue(NodeOptions.Section + ":Role", NodeRole.Dashboard);

    /// <summary>A dashboard node's fleet endpoints: <c>/api/hosts</c>.</summary>
    public static IEndpointRouteBuilder MapFleet(this IEndpointRouteBuilder app)
    {
        app.MapHostsApi();
        return app;
    }

    /// <summary>An agent's only endpoint: its health (the store's), with no hub to watch.</summary>
    public static WebApplication MapAgent(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Name != "streaming" }).AllowAnonymous();
        return app;
    }
}
