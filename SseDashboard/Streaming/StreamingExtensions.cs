using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SseDashboard.Streaming;

public static class StreamingExtensions
{
    /// <summary>
    /// The hub, its heartbeat and health check, and <c>Dashboard:Sse</c>. Topics and the <see cref="IEventRenderer"/>
    /// that renders them come from whoever registers them.
    /// </summary>
    public static WebApplicationBuilder AddStreaming(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<SseOptions, ValidateSseOptions>(SseOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EventHub>();
        services.AddSingleton<IEventPublisher>(sp => sp.GetRequiredService<EventHub>());
        // A flush sends on the writer's own thread instead of queueing to Kestrel's I/O threads, so each 4 KB output
        // block goes back to the pool at once rather than 10,000 being held mid fan-out (18.2 -> 14.2 KB RSS per
        // connection at 10,000 clients). Safe here: nothing on a request path blocks.
        services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);
        services.AddHostedService<HeartbeatService>();
        services.AddProblemDetails();
        services.AddHealthChecks().AddCheck<StreamingHealthCheck>("streaming");
        return builder;
    }

    /// <summary>Registers a topic with the hub (its renderer is registered by the caller).</summary>
    public static IServiceCollection AddTopic(this IServiceCollection services, Topic topic) =>
        services.AddSingleton(topic);

    public static WebApplication MapStreaming(this WebApplication app)
    {
        var hub = app.Services.GetRequiredService<EventHub>();
        // Open streams end cleanly as soon as shutdown starts, so Kestrel need not wait for them.
        app.Lifetime.ApplicationStopping.Register(hub.Complete);

        app.MapGet("/sse", SseEndpoint.HandleAsync);
        app.MapHealthChecks("/healthz");
        return app;
    }
}
