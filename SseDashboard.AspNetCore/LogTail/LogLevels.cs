using System.Text.RegularExpressions;

namespace SseDashboard.LogTail;

/// <summary>Finds a log line's level: trace, debug, info, warn, error or fatal; null when the line does not say.</summary>
public static partial class LogLevels
{
    public static string? Detect(string line)
    {
        // Most specific first: a Serilog "[10:00:00 INF]" or "[INF]" tag, then key=value and JSON fields, then plain words.
        if (SerilogTag().Match(line) is { Success: true } tag)
        {
            return Normalize(tag.Groups[1].ValueSpan);
        }

        if (KeyedLevel().Match(line) is { Success: true } keyed && Normalize(keyed.Groups[1].ValueSpan) is { } level)
        {
            return level;
        }

        return LevelWord().Match(line) is { Success: true } word ? Normalize(word.Groups[1].ValueSpan) : null;
    }

    /// <summary>A level's name as this dashboard spells it (<c>Warning</c>, <c>WRN</c>, <c>warn</c> → <c>warn</c>); null for none.</summary>
    public static string? Normalize(string value) => Normalize(value.AsSpan());

    private static string? Normalize(ReadOnlySpan<char> value) => value.ToString().ToLowerInvariant() switch
    {
        "vrb" or "verbose" or "trace" or "trc" => "trace",
        "dbg" or "debug" => "debug",
        "inf" or "info" or "information" => "info",
        "wrn" or "warn" or "warning" => "warn",
        "err" or "error" or "fail" => "error",
        "ftl" or "fatal" or "critical" or "crit" or "panic" or "dpanic" => "fatal",
        _ => null,
    };

    [GeneratedRegex(@"\[(?:\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\s+)?(VRB|DBG|INF|WRN|ERR|FTL)\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SerilogTag();

    [GeneratedRegex(@"(?:\blevel\s*=\s*""?|""(?:level|@l)""\s*:\s*"")(\w+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyedLevel();

    [GeneratedRegex(@"\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LevelWord();
}
