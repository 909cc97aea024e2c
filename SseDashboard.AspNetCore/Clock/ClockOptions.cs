using Microsoft.Extensions.Options;

namespace SseDashboard.Clock;

/// <summary>The <c>Dashboard:Clock</c> section.</summary>
public sealed class ClockOptions
{
    public const string Section = "Dashboard:Clock";

    /// <summary>How often the clock publishes: at start, then on whole multiples of the interval (on the second).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class ValidateClockOptions : IValidateOptions<ClockOptions>
{
    public ValidateOptionsResult Validate(string? name, ClockOptions options)
    {
        var errors = new OptionsErrors(ClockOptions.Section);
        errors.Range("Interval", options.Interval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        return errors.Result;
    }
}
