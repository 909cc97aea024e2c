using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SseDashboard.Streaming;

namespace SseDashboard.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>The standard variables that say where to export; without one of them nothing is registered.</summary>
    private static readonly string[] EndpointVariables =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];

    /// <summary>
    /// Metrics and traces over OTLP, configured by the standard <c>OTEL_*</c> variables, when an endpoint is set and
    /// <c>Dashboard:Telemetry:Enabled</c> is not false; otherwise nothing is registered, so nothing extra runs.
    /// </summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new();
        if (!options.Enabled || !EndpointVariables.Any(v => !string.IsNullOrWhiteSpace(configuration[v])))
        {
            return builder;
        }

        // The specification's default protocol (the .NET exporter's own is gRPC), and metrics every 10 s rather than
        // every minute, so a collector shows a live dashboard as live; either variable set wins.
        var defaults = new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "10000",
        };
        configuration.AddInMemoryCollection(defaults.Where(d => configuration[d.Key] is null));

        builder.Services.AddOpenTelemetry()
            // Ours first, then OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES over it.
            .ConfigureResource(resource => resource
                .AddService("SseDashboard", serviceVersion: typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString())
                .AddEnvironmentVariableDetector())
            .WithMetrics(metrics => metrics
                .AddMeter(StreamingMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsqlInstrumentation())
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsUntraced(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .UseOtlpExporter();

        return builder;
    }

    // A stream lives for hours: as one span it would reach a backend only when it ends, as a bar hours long, and hold
    // an open span per client meanwhile; its life is in the sse.* metrics. Probes would bury real requests.
    private static bool IsUntraced(PathString path) =>
        path.StartsWithSegments("/sse") || path.StartsWithSegments("/healthz");
}
