using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SseDashboard.Streaming;

namespace SseDashboard.Telemetry;

public static class TelemetryExtensions
{
    // The standard variables that say where to export: both signals, or one alone.
    private const string Endpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string MetricsEndpoint = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";
    private const string TracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

    /// <summary>
    /// Metrics and traces over OTLP, configured by the standard <c>OTEL_*</c> variables, when an endpoint is set and
    /// <c>Dashboard:Telemetry:Enabled</c> is not false; otherwise nothing is registered, so nothing extra runs.
    /// </summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new();
        bool Set(string variable) => !string.IsNullOrWhiteSpace(configuration[variable]);
        var (metrics, traces) = (Set(Endpoint) || Set(MetricsEndpoint), Set(Endpoint) || Set(TracesEndpoint));
        if (!options.Enabled || !(metrics || traces))
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

        // Ours first, then OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES over it.
        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource
            .AddService("SseDashboard", serviceVersion: typeof(TelemetryExtensions).Assembly.GetName().Version?.ToString())
            .AddEnvironmentVariableDetector());

        // A signal whose endpoint is not set listens to nothing, so it has nothing to send.
        if (metrics)
        {
            telemetry.WithMetrics(meters => meters
                .AddMeter(StreamingMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsqlInstrumentation());
        }

        if (traces)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsUntraced(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql());
        }

        telemetry.UseOtlpExporter();

        return builder;
    }

    // A stream lives for hours: as one span it would reach a backend only when it ends, as a bar hours long, and hold
    // an open span per client meanwhile; its life is in the sse.* metrics. Probes would bury real requests.
    private static bool IsUntraced(PathString path) =>
        path.StartsWithSegments("/sse") || path.StartsWithSegments("/healthz");
}
