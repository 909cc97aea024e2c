using Microsoft.Extensions.Options;

namespace SseDashboard.Producers;

public sealed class MetricsOptions
{
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class LogTailOptions
{
    /// <summary>The app's own Serilog files (<c>logs/dashboard-.log</c> rolls to <c>logs/dashboard-20261121.log</c>).</summary>
    public static readonly IReadOnlyList<string> DefaultPaths = ["logs/dashboard-*.log"];

    /// <summary>
    /// Files or globs (<c>*</c>, <c>?</c> in the file name), relative to the current directory as Serilog's path is.
    /// Empty means <see cref="DefaultPaths"/>: a default here would be kept by the configuration binder, which appends.
    /// </summary>
    public string[] Paths { get; set; } = [];

    public IReadOnlyList<string> EffectivePaths => Paths.Length > 0 ? Paths : DefaultPaths;

    /// <summary>Lines published from the end of each file found at start.</summary>
    public int InitialLines { get; set; } = 100;

    public int MaxLineBytes { get; set; } = 64 * 1024;

    /// <summary>How often files are checked for new bytes, rotation and truncation.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Most lines one <c>log</c> event carries; a burst travels as several events.</summary>
    public int MaxBatchLines { get; set; } = 500;
}

/// <summary>Checks the producers' options (<c>Dashboard:Metrics</c>, <c>Dashboard:LogTail</c>), reporting every problem at once.</summary>
public sealed class ValidateProducerOptions : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var errors = new List<string>();
        var tail = options.LogTail;

        ValidateDashboardOptions.Range(errors, "Dashboard:Metrics:Interval", options.Metrics.Interval, TimeSpan.FromMilliseconds(50), TimeSpan.FromHours(1));
        ValidateDashboardOptions.Range(errors, "Dashboard:LogTail:InitialLines", tail.InitialLines, 0, 100_000);
        ValidateDashboardOptions.Range(errors, "Dashboard:LogTail:MaxLineBytes", tail.MaxLineBytes, 16, 16 * 1024 * 1024);
        ValidateDashboardOptions.Range(errors, "Dashboard:LogTail:PollInterval", tail.PollInterval, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(10));
        ValidateDashboardOptions.Range(errors, "Dashboard:LogTail:MaxBatchLines", tail.MaxBatchLines, 1, 100_000);

        for (var i = 0; i < tail.Paths.Length; i++)
        {
            if (LogPathPattern.Validate(tail.Paths[i]) is { } problem)
            {
                errors.Add($"Dashboard:LogTail:Paths:{i} {problem}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
