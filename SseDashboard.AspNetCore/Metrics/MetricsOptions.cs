using Microsoft.Extensions.Options;

namespace SseDashboard.Metrics;

/// <summary>The <c>Dashboard:Metrics</c> section.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Dashboard:Metrics";

    /// <summary>How often <c>cpu</c> and <c>memory</c> publish: 250 ms after start, then on the clock's boundaries.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class ValidateMetricsOptions : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var errors = new OptionsErrors(MetricsOptions.Section);
        errors.Range("Interval", options.Interval, TimeSpan.FromMilliseconds(50), TimeSpan.FromHours(1));
        return errors.Result;
    }
}
