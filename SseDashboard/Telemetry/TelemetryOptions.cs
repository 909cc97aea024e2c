namespace SseDashboard.Telemetry;

/// <summary><c>Dashboard:Telemetry</c>: whether the OTLP export the standard <c>OTEL_*</c> variables ask for runs.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Dashboard:Telemetry";

    /// <summary>False turns export off even when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</summary>
    public bool Enabled { get; set; } = true;
}
