using SseDashboard.Panels;
using SseDashboard.Producers;

namespace SseDashboard.Server;

public static class ServerExtensions
{
    /// <summary>The <c>server</c> topic and panel (the dashboard's own streams, throughput and disconnects) and <c>Dashboard:Server</c>.</summary>
    public static WebApplicationBuilder AddServerPanel(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<ServerOptions, ValidateServerOptions>(ServerOptions.Section);
        services.AddPanel<ServerPanel, ServerSample>(ServerTopics.Server);
        services.AddProducerDefaults();
        services.AddHostedService<ServerProducer>();
        return builder;
    }
}
