using Microsoft.Extensions.Options;

namespace SseDashboard.AppLog;

/// <summary>The <c>Dashboard:AppLog</c> section: the app's own log entries, in-process, in the <c>log</c> topic.</summary>
public sealed class AppLogOptions
{
    public const string Section = "Dashboard:AppLog";

    /// <summary>Whether the standalone app publishes its own entries (off: it tails its own file instead).</summary>
    public bool Enabled { get; set; }

    /// <summary>Entries below this level are not published.</summary>
    public LogLevel MinimumLevel { get; set; } = LogLevel.Information;

    /// <summary>
    /// What <see cref="Exclude"/> empty means: ASP.NET Core's own per-request entries (request starting, finished,
    /// executing endpoint), which at Information would send every stream's connect to every other stream.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultExclude = ["Microsoft.AspNetCore"];

    /// <summary>
    /// Categories left out (<c>:0</c>, <c>:1</c>, …): each names a category and every category under it. Empty means
    /// <see cref="DefaultExclude"/> (a default here would be kept by the configuration binder, which appends).
    /// </summary>
    public string[] Exclude { get; set; } = [];

    public IReadOnlyList<string> EffectiveExclude => Exclude.Length > 0 ? Exclude : DefaultExclude;
}

public sealed class ValidateAppLogOptions : IValidateOptions<AppLogOptions>
{
    public ValidateOptionsResult Validate(string? name, AppLogOptions options)
    {
        var errors = new OptionsErrors(AppLogOptions.Section);
        if (!Enum.IsDefined(options.MinimumLevel) || options.MinimumLevel == LogLevel.None)
        {
            errors.Add("MinimumLevel", $"must be Trace, Debug, Information, Warning, Error or Critical (was '{options.MinimumLevel}').");
        }

        for (var i = 0; i < options.Exclude.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Exclude[i]))
            {
                errors.Add($"Exclude:{i}", "must name a category (was empty).");
            }
        }

        return errors.Result;
    }
}
