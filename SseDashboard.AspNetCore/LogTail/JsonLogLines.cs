using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SseDashboard.LogTail;

/// <summary>
/// A log line written as one JSON object: Serilog's CLEF (<c>@t</c>, <c>@m</c>/<c>@mt</c>, <c>@l</c>, <c>@x</c>,
/// <c>@i</c>, <c>@tr</c>, <c>@sp</c>), Microsoft.Extensions.Logging's JSON console formatter (<c>Timestamp</c>,
/// <c>EventId</c>, <c>LogLevel</c>, <c>Category</c>, <c>Message</c>, <c>Exception</c>, <c>State</c>, <c>Scopes</c>), and
/// the keys pino, bunyan, zap, logrus and structlog share (<c>level</c>/<c>lvl</c>/<c>severity</c>, <c>msg</c>/<c>message</c>,
/// <c>time</c>/<c>ts</c>/<c>timestamp</c>/<c>@timestamp</c>, <c>error</c>/<c>err</c>/<c>exception</c>/<c>stack</c>).
/// Level, message, time and exception come from those; every other key is a field. Anything else is a plain line.
/// </summary>
public static partial class JsonLogLines
{
    public const int MaxDepth = 32;

    // One document per entry, kept by the fields read from it (each a view into it, not a copy of its own).
    private static readonly JsonSerializerOptions Options = new() { MaxDepth = MaxDepth };

    /// <summary>The entry <paramref name="text"/> holds, or null when it is not one JSON object (then it is a plain line).</summary>
    public static LogLine? TryParse(string text)
    {
        var start = text.AsSpan().TrimStart();
        if (start.Length < 2 || start[0] != '{')
        {
            return null;
        }

        try
        {
            var root = JsonSerializer.Deserialize<JsonElement>(text, Options);
            return root.ValueKind == JsonValueKind.Object ? Read(root) : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // Not JSON, or a known key of another type than its shape says (a number where text belongs): a plain line.
            return null;
        }
    }

    private static LogLine Read(JsonElement entry)
    {
        var clef = entry.TryGetProperty("@t", out _) || entry.TryGetProperty("@mt", out _) || entry.TryGetProperty("@m", out _);
        var console = !clef && entry.TryGetProperty("LogLevel", out _) && entry.TryGetProperty("Category", out _);
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        string? level = null, message = null, template = null, exception = null, category = null, traceId = null;
        DateTimeOffset? timestamp = null;
        foreach (var property in entry.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "@t" when clef:
                case "Timestamp" when console:
                case "time" or "ts" or "timestamp" or "@timestamp" when !clef && !console:
                    timestamp ??= TimeOf(value);
                    break;
                case "@l" when clef:
                case "LogLevel" when console:
                case "level" or "lvl" or "severity" when !clef && !console:
                    level ??= LevelOf(value);
                    break;
                case "@m" when clef:
                case "Message" when console:
                case "msg" or "message" when !clef && !console:
                    message ??= value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
                    break;
                case "@mt" when clef:
                    template = value.GetString();
                    break;
                case "@x" when clef:
                case "Exception" when console:
                case "error" or "err" or "exception" or "stack" when !clef && !console:
                    exception ??= ExceptionOf(value);
                    break;
                case "@tr" when clef:
                    traceId = value.GetString();
                    break;
                case "@i" when clef:
                case "EventId" when console:
                    if (!(value.ValueKind == JsonValueKind.Number && value.GetRawText() == "0"))
                    {
                        fields["EventId"] = value;
                    }

                    break;
                case "@sp" when clef:
                    fields["SpanId"] = value;
                    break;
                case "Category" when console:
                    category = value.GetString();
                    break;
                case "State" when console && value.ValueKind == JsonValueKind.Object:
                    foreach (var state in value.EnumerateObject())
                    {
                        if (state.Name == "{OriginalFormat}")
                        {
                            template = state.Value.GetString();
                        }
                        else if (state.Name != "Message")
                        {
                            fields[state.Name] = state.Value;
                        }
                    }

                    break;
                case "Scopes" when console && value.ValueKind == JsonValueKind.Array:
                    foreach (var scope in value.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object))
                    {
                        foreach (var item in scope.EnumerateObject().Where(i => i.Name is not ("Message" or "{OriginalFormat}")))
                        {
                            fields.TryAdd(item.Name, item.Value);
                        }
                    }

                    break;
                case "@r" when clef:
                    break;
                default:
                    // CLEF escapes a property that starts with @ as @@.
                    fields[clef && property.Name.StartsWith("@@", StringComparison.Ordinal) ? property.Name[1..] : property.Name] = value;
                    break;
            }
        }

        // CLEF: no @l means Information; the message is @m, else @mt rendered with the properties.
        if (clef)
        {
            level ??= "info";
            message ??= template is null ? null : Render(template, fields);
        }

        // Escapes written inside the JSON strings (\u001b) never reach the page or a client either.
        foreach (var (name, value) in fields.Where(f => f.Value.ValueKind == JsonValueKind.String && AnsiText.HasEscapes(f.Value.GetString()!)).ToArray())
        {
            fields[name] = JsonSerializer.SerializeToElement(AnsiText.Strip(value.GetString()!), LogTailJsonContext.Api.String);
        }

        var text = AnsiText.Strip(message ?? template ?? "");
        return new LogLine(text, level ?? LogLevels.Detect(text))
        {
            Message = AnsiText.Strip(template ?? message ?? ""),
            Fields = fields.Count > 0 ? fields : null,
            Exception = exception is null ? null : AnsiText.Strip(exception),
            Category = category is null ? null : AnsiText.Strip(category),
            TraceId = traceId,
            Timestamp = timestamp,
        };
    }

    /// <summary>A message template with each <c>{Name}</c> (and <c>{@Name}</c>, <c>{Name:format}</c>) replaced by its value as written.</summary>
    public static string Render(string template, IReadOnlyDictionary<string, JsonElement> properties) =>
        Hole().Replace(template, hole =>
        {
            if (hole.Value.StartsWith("{{", StringComparison.Ordinal))
            {
                return "{";
            }

            if (hole.Value.StartsWith("}}", StringComparison.Ordinal))
            {
                return "}";
            }

            return properties.TryGetValue(hole.Groups["name"].Value, out var value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()
                : hole.Value;
        });

    private static DateTimeOffset? TimeOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) => at,
        // Unix time: seconds with a fraction (zap, structlog), milliseconds (pino, bunyan), micro- or nanoseconds (zerolog).
        JsonValueKind.Number when value.TryGetDouble(out var number) && number is > 0 and < 1e20 => DateTimeOffset.FromUnixTimeMilliseconds((long)(number switch
        {
            > 1e17 => number / 1e6,
            > 1e14 => number / 1e3,
            > 1e11 => number,
            _ => number * 1000,
        })),
        _ => null,
    };

    private static string? LevelOf(JsonElement value) => value.ValueKind switch
    {
        // pino and bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
        JsonValueKind.Number when value.TryGetInt32(out var number) => number switch
        {
            <= 10 => "trace",
            <= 20 => "debug",
            <= 30 => "info",
            <= 40 => "warn",
            <= 50 => "error",
            _ => "fatal",
        },
        JsonValueKind.String => LogLevels.Normalize(value.GetString()!),
        _ => null,
    };

    // An error object (pino's err, bunyan's): its stack, which starts with type and message, else type: message.
    private static string? ExceptionOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object when value.TryGetProperty("stack", out var stack) && stack.ValueKind == JsonValueKind.String => stack.GetString(),
        JsonValueKind.Object => new StringBuilder()
            .Append(value.TryGetProperty("type", out var type) ? type.ToString() + ": " : "")
            .Append(value.TryGetProperty("message", out var text) ? text.ToString() : value.GetRawText())
            .ToString(),
        JsonValueKind.Null => null,
        _ => value.GetRawText(),
    };

    [GeneratedRegex(@"\{\{|\}\}|\{@?(?<name>[A-Za-z0-9_]+)(?:[,:][^}]*)?\}", RegexOptions.CultureInvariant)]
    private static partial Regex Hole();
}
