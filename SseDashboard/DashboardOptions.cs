using Microsoft.Extensions.Options;
using SseDashboard.Pages;

namespace SseDashboard;

/// <summary>The <c>Dashboard</c> configuration section.</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    public ClockOptions Clock { get; set; } = new();

    public SseOptions Sse { get; set; } = new();

    public Producers.MetricsOptions Metrics { get; set; } = new();

    public Producers.LogTailOptions LogTail { get; set; } = new();

    public UiOptions Ui { get; set; } = new();

    public EmbedOptions Embed { get; set; } = new();
}

public sealed class ClockOptions
{
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class SseOptions
{
    /// <summary>A comment is sent to a connection that has had nothing else for this long.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Events each stream topic keeps for replay after a reconnect.</summary>
    public int ReplayCapacity { get; set; } = 1000;

    /// <summary>Stream events a subscriber may fall behind before it is disconnected to resume by replay.</summary>
    public int MaxQueuedEvents { get; set; } = 512;

    /// <summary>The <c>retry:</c> interval sent to clients.</summary>
    public TimeSpan Retry { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Checks every <see cref="DashboardOptions"/> value and reports all problems at once, each naming its key.</summary>
public sealed class ValidateDashboardOptions : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var errors = new List<string>();

        Range(errors, "Dashboard:Clock:Interval", options.Clock.Interval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        Range(errors, "Dashboard:Sse:Heartbeat", options.Sse.Heartbeat, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        Range(errors, "Dashboard:Sse:Retry", options.Sse.Retry, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        Range(errors, "Dashboard:Sse:ReplayCapacity", options.Sse.ReplayCapacity, 1, 1_000_000);
        Range(errors, "Dashboard:Sse:MaxQueuedEvents", options.Sse.MaxQueuedEvents, 1, 1_000_000);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static void Range<T>(List<string> errors, string key, T value, T min, T max) where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            errors.Add($"{key} must be between {min} and {max} (was {value}).");
        }
    }
}

public static class DashboardOptionsExtensions
{
    public static WebApplicationBuilder AddDashboardOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DashboardOptions>()
            .BindConfiguration(DashboardOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DashboardOptions>, ValidateDashboardOptions>();
        return builder;
    }
}
