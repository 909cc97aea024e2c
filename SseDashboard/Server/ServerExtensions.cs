using SseDashboard.Panels;
using SseDashboard.Producers;

namespace SseDashboard.Server;

public static class ServerExtensions
{
    /// <summary>The <c>server</c> topic and panel: the dashboard's own streams, throughput and disconnects.</summary>
    public static WebApplicationBuilder AddServerPanel(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddPanel<ServerPanel, ServerSample>(ServerTopics.Server);
        services.AddProducerDefaults();
        services.AddHostedService<ServerProducer>();
        return builder;
    }
}
