using Microsoft.Extensions.Options;

namespace SseDashboard.LogTail;

/// <summary>The <c>Dashboard:LogTail</c> section: which files to follow, and how.</summary>
public sealed class LogTailOptions
{
    public const string Section = "Dashboard:LogTail";

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

    /// <summary>
    /// Lines published per second across all followed files; the rest are left out (the file is untouched) and
    /// reported as a <c>skipped</c> marker at most once a second, so a log flood cannot drown the stream.
    /// </summary>
    public int MaxLinesPerSecond { get; set; } = 1000;

    /// <summary>
    /// Regular expressions applied to every line before it is published, after the built-in ones. When a pattern has
    /// a named group <c>secret</c> only that group becomes <c>***</c> (<c>token=(?&lt;secret&gt;\S+)</c>), otherwise
    /// the whole match does. Each gets 100 ms a line; one that takes longer masks the whole line and is logged once.
    /// </summary>
    public string[] Redact { get; set; } = [];

    /// <summary>
    /// Whether the built-in patterns run: values of <c>password=</c>, <c>pwd=</c>, <c>secret=</c>, <c>api_key=</c>,
    /// <c>token=</c> (also <c>key: value</c> and JSON), <c>Bearer</c> and Basic credentials, credentials in URLs,
    /// AWS access keys and JWTs.
    /// </summary>
    public bool RedactDefaults { get; set; } = true;

    /// <summary>How the lines of one entry (a message and its stack trace) are kept together: <c>Dashboard:LogTail:Multiline</c>.</summary>
    public MultilineOptions Multiline { get; set; } = new();
}

public sealed class ValidateLogTailOptions : IValidateOptions<LogTailOptions>
{
    public ValidateOptionsResult Validate(string? name, LogTailOptions options)
    {
        var errors = new OptionsErrors(LogTailOptions.Section);
        errors.Range("InitialLines", options.InitialLines, 0, 100_000);
        errors.Range("MaxLineBytes", options.MaxLineBytes, 16, 16 * 1024 * 1024);
        errors.Range("PollInterval", options.PollInterval, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(10));
        errors.Range("MaxBatchLines", options.MaxBatchLines, 1, 10_000);
        errors.Range("MaxLinesPerSecond", options.MaxLinesPerSecond, 1, 1_000_000);
        MultilineOptions.Validate(options.Multiline, errors);
        for (var i = 0; i < options.Paths.Length; i++)
        {
            if (LogPathPattern.Validate(options.Paths[i]) is { } problem)
            {
                errors.Add($"Paths:{i}", problem);
            }
        }

        for (var i = 0; i < options.Redact.Length; i++)
        {
            if (LogRedactor.Validate(options.Redact[i]) is { } problem)
            {
                errors.Add($"Redact:{i}", $"is not a valid regular expression: {problem}");
            }
        }

        return errors.Result;
    }
}
