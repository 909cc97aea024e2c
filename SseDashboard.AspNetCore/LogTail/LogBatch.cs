using System.Text.Json;
using System.Text.Json.Serialization;
using SseDashboard.Streaming;

namespace SseDashboard.LogTail;

/// <summary>
/// One line of a followed file. <c>cut</c> marks a line longer than <c>Dashboard:LogTail:MaxLineBytes</c>,
/// <c>redacted</c> one whose secrets were masked (<see cref="LogRedactor"/>).
/// </summary>
public sealed record LogLine(
    string Text,
    string? Level,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Cut = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Redacted = false)
{
    /// <summary>A line as read: a JSON object is an entry (<see cref="JsonLogLines"/>); anything else, or a cut line, plain text.</summary>
    /// <remarks>
    /// Terminal escapes never stay in the text: colours become <see cref="Ansi"/> runs, the rest is removed.
    /// </remarks>
    public static LogLine Of(string text, bool cut = false)
    {
        var (plain, runs) = AnsiText.Parse(text);
        return (cut ? null : JsonLogLines.TryParse(plain)) ?? new(plain, LogLevels.Detect(plain), cut) { Ansi = runs.Count > 0 ? runs : null };
    }

    /// <summary>A structured entry's message template (else its message); <c>text</c> is the message as rendered.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }

    /// <summary>A structured entry's properties (and its scopes'), as JSON values.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, JsonElement>? Fields { get; init; }

    /// <summary>The entry's exception: type, message, stack trace and inner exceptions, as text.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Exception { get; init; }

    /// <summary>The logger's category (<c>MyApp.Orders.OrderService</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Category { get; init; }

    /// <summary>The W3C trace id of the activity the entry was logged in.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceId { get; init; }

    /// <summary>How many lines of the file the entry holds (joined by <c>\n</c> in <c>text</c>), when more than one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Lines { get; init; }

    /// <summary>A plain line's colours (its ANSI SGR codes), for the page; clients of the JSON get the text alone.</summary>
    [JsonIgnore]
    public IReadOnlyList<AnsiRun>? Ansi { get; init; }

    /// <summary>The entry's own time, when it says (a JSON line's); the batch's timestamp is when it was read.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>
/// The <c>log</c> payload: lines appended to <c>file</c>, in order, or a marker (<c>rotated</c>, <c>truncated</c>,
/// <c>missing</c>, <c>error</c>) with no lines, or the <c>reset</c> the hub sends when a resume cannot be honoured.
/// </summary>
public sealed record LogBatch(
    DateTimeOffset Timestamp,
    string? File,
    string Kind,
    IReadOnlyList<LogLine> Lines,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null) : IHostPayload
{
    /// <summary>The host this is about (<c>Dashboard:HostName</c> of the process that measured it).</summary>
    public string Host { get; init; } = "";

    public IHostPayload WithHost(string host) => this with { Host = host };

    /// <summary>
    /// Where followed files are read to once this batch is out (not sent to clients): the history store keeps them
    /// with the lines, so a restart goes on from there.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<FilePosition> Positions { get; init; } = [];

    /// <summary>
    /// The event's id when it is known as the batch is rendered (a first paint, lines from the history store): each
    /// line is marked with its own id, so the page can ask for what came before it. Not sent.
    /// </summary>
    [JsonIgnore]
    public long? EventId { get; init; }

    /// <summary>
    /// Shown live before it was stored (a fleet node's own lines while its store fails): it comes again, numbered, once
    /// stored, and the page then drops this copy. Not sent.
    /// </summary>
    [JsonIgnore]
    public bool LiveOnly { get; init; }

    /// <summary>Line <paramref name="index"/>'s id, when <see cref="EventId"/> is known (the event's is its last line's).</summary>
    public long? LineId(int index) => EventId - Math.Max(1, Lines.Count) + 1 + index;

    /// <summary>On a <c>skipped</c> marker: how many lines of <c>file</c> the rate limit left out since the last one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Skipped { get; init; }

    public static LogBatch Reset(DateTimeOffset now) => new(now, null, LogKinds.Reset, []);
}

public static class LogKinds
{
    public const string Lines = "lines";
    public const string Rotated = "rotated";
    public const string Truncated = "truncated";
    public const string Missing = "missing";
    public const string Reset = "reset";

    /// <summary>Lines over <c>Dashboard:LogTail:MaxLinesPerSecond</c>, counted in <see cref="LogBatch.Skipped"/>.</summary>
    public const string Skipped = "skipped";

    /// <summary>A file that exists but cannot be read (permissions), or a faulted follower.</summary>
    public const string Error = "error";
}

public static class LogTailTopics
{
    public static readonly Topic<LogBatch> Log =
        new("log", TopicKind.Stream, "Log", LogTailJsonContext.Api.LogBatch, LogBatch.Reset, idCount: batch => batch.Lines.Count)
        {
            PerHost = true,
        };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LogBatch))]
[JsonSerializable(typeof(string))]
internal sealed partial class LogTailJsonContext : JsonSerializerContext
{
    public static LogTailJsonContext Api { get; } = new(ApiJson.CreateOptions());
}
