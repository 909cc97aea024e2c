using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SseDashboard.Streaming;

public static class StreamingExtensions
{
    /// <summary>
    /// Kernel send buffer per connection (Linux doubles it to 128 KiB): what a client that stops reading can pin in
    /// kernel memory before its writes stop making progress and the stall timeout ends it.
    /// </summary>
    public const int SendBufferBytes = 64 * 1024;

    /// <summary>Kestrel's per-connection response buffer and the socket transport's write buffer with <see cref="AddStreamingTransport"/>.</summary>
    public const int ResponseBufferBytes = 8 * 1024;

    /// <summary>The accept queue asked for; the kernel caps it at <c>net.core.somaxconn</c>.</summary>
    public const int ListenBacklog = 16 * 1024;

    /// <summary>
    /// The hub, its heartbeat and health check, its own metrics, and <c>Dashboard:Sse</c>. Topics and the
    /// <see cref="IEventRenderer"/> that renders them come from whoever registers them.
    /// </summary>
    public static WebApplicationBuilder AddStreaming(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<SseOptions, ValidateSseOptions>(SseOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<StreamingMetrics>();
        services.TryAddSingleton<IEventHistory, NoEventHistory>();
        services.AddSingleton<EventHub>();
        // First of the hosted services: the history is open before any producer publishes.
        services.AddHostedService<HubStartService>();
        services.AddSingleton<IEventPublisher>(sp => sp.GetRequiredService<EventHub>());
        services.TryAddSingleton<IStreamAccess, OpenStreamAccess>();
        StreamAuthentication.Register(services);
        services.AddHostedService<HeartbeatService>();
        services.AddHostedService<StallWatchService>();
        services.AddHostedService<ConnectionLogService>();
        return builder;
    }

    /// <summary>The tag of the dashboard's own health checks: <c>/healthz</c> below the mount reports these only.</summary>
    public const string HealthTag = "sse-dashboard";

    /// <summary>
    /// The stream's health check (events flowing) among the app's. The standalone app adds it; a host adds it (with
    /// <c>AddSseDashboardChecks()</c>) only if the dashboard's health should count in its own.
    /// </summary>
    public static IHealthChecksBuilder AddStreamingCheck(this IHealthChecksBuilder checks) =>
        checks.AddCheck<StreamingHealthCheck>("streaming", tags: [HealthTag]);

    /// <summary>Registers a topic with the hub (its renderer is registered by the caller).</summary>
    public static IServiceCollection AddTopic(this IServiceCollection services, Topic topic) =>
        services.AddSingleton(topic);

    /// <summary>
    /// Kestrel tuned for many long streams: the standalone app's choice for the whole server, which a host keeps to
    /// itself (inline scheduling is safe only where nothing on a request path blocks).
    /// </summary>
    public static WebApplicationBuilder AddStreamingTransport(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<SocketTransportOptions>(o =>
        {
            // A flush sends on the writer's own thread instead of queueing to Kestrel's I/O threads, so each 4 KB
            // output block goes back to the pool at once rather than 10,000 being held mid fan-out (18.2 -> 14.2 KB
            // RSS per connection at 10,000 clients). Safe here: nothing on a request path blocks.
            o.UnsafePreferInlineScheduling = true;
            // Thousands of clients reconnecting together (a proxy restart) must not overflow the accept queue.
            o.Backlog = ListenBacklog;
            // What waits in a connection's output pipe before a write waits on the client (64 KB by default): a client
            // that stops reading holds this, beside the kernel's send buffer, until the stall timeout drops it.
            o.MaxWriteBufferSize = ResponseBufferBytes;
            // Accepted sockets inherit the listener's send buffer on Linux: bytes in flight to one client stay bounded.
            o.CreateBoundListenSocket = endpoint =>
            {
                var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                socket.SendBufferSize = SendBufferBytes;
                return socket;
            };
        });
        // A client that stops reading holds this much of its stream in Kestrel's pipe (64 KB by default), beside the
        // socket's send buffer in the kernel, until the stall timeout drops it; a write waits on the client sooner.
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxResponseBufferSize = ResponseBufferBytes);
        return builder;
    }

    /// <summary>
    /// <c>/sse</c>, and <c>/healthz</c> with the dashboard's own checks when the app has health checks (open to all
    /// unless the host's sign-in guards the dashboard).
    /// </summary>
    public static IEndpointRouteBuilder MapStreaming(this IEndpointRouteBuilder endpoints, bool openHealth = true)
    {
        var hub = endpoints.ServiceProvider.GetRequiredService<EventHub>();
        // Open streams end cleanly as soon as shutdown starts, so Kestrel need not wait for them.
        endpoints.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(hub.Complete);

        endpoints.MapGet("/sse", SseEndpoint.HandleAsync).WithMetadata(new SseStreamEndpoint());
        if (endpoints.ServiceProvider.GetService<HealthCheckService>() is not null)
        {
            var health = endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTag) });
            if (openHealth)
            {
                health.AllowAnonymous();
            }
        }

        return endpoints;
    }
}

/// <summary>Marks the <c>/sse</c> endpoint, whose authorization a host page's panels follow.</summary>
public sealed class SseStreamEndpoint;
