using System.Text.Json;
using System.Text.Json.Serialization;
using SseDashboard.LogTail;

namespace SseDashboard.History;

/// <summary>What a structured entry carries beside its text and level, stored as one JSON column (<c>extra</c>).</summary>
public sealed partial record LogLineExtra(
    string? Message,
    IReadOnlyDictionary<string, JsonElement>? Fields,
    string? Exception,
    string? Category,
    string? TraceId,
    DateTimeOffset? Timestamp = null,
    IReadOnlyList<AnsiRun>? Ansi = null,
    int? Lines = null)
{
    /// <summary>The line's extras as JSON, or null for a plain line.</summary>
    public static string? Of(LogLine line) =>
        line.Message is null && line.Fields is null && line.Exception is null && line.Category is null && line.TraceId is null && line.Timestamp is null && line.Ansi is null && line.Lines is null
            ? null
            : NoNul(JsonSerializer.Serialize(
                new LogLineExtra(line.Message, line.Fields, line.Exception, line.Category, line.TraceId, line.Timestamp, line.Ansi, line.Lines), LogLineExtraJsonContext.Default.LogLineExtra));

    // PostgreSQL's jsonb refuses \u0000: a NUL in a value is stored as U+FFFD (an escaped backslash before "u0000" is not one).
    private static string NoNul(string json) =>
        json.Contains("\\u0000", StringComparison.Ordinal) ? Nul().Replace(json, "$1\\ufffd") : json;

    /// <summary>The line with its stored extras put back.</summary>
    public static LogLine Restore(LogLine line, string? extra)
    {
        if (extra is null || JsonSerializer.Deserialize(extra, LogLineExtraJsonContext.Default.LogLineExtra) is not { } stored)
        {
            return line;
        }

        return line with
        {
            Message = stored.Message, Fields = stored.Fields, Exception = stored.Exception, Category = stored.Category, TraceId = stored.TraceId, Timestamp = stored.Timestamp, Ansi = stored.Ansi, Lines = stored.Lines,
        };
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<!\\)((?:\\\\)*)\\u0000")]
    private static partial System.Text.RegularExpressions.Regex Nul();
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LogLineExtra))]
internal sealed partial class LogLineExtraJsonContext : JsonSerializerContext;
