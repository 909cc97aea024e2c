using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SseDashboard.Producers;

/// <summary>Source-generated JSON for every payload of the public API (camelCase, UTC millisecond timestamps).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(UtcMillisecondsConverter)])]
[JsonSerializable(typeof(ClockSample))]
[JsonSerializable(typeof(CpuSample))]
[JsonSerializable(typeof(MemorySample))]
[JsonSerializable(typeof(LogBatch))]
public sealed partial class DashboardJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context the topics serialise with. The data goes out as <c>text/event-stream</c>, never into HTML, so text
    /// is kept as written (<c>café</c>, <c>a+b</c>, <c>&lt;tag&gt;</c>) rather than <c>\u00E9</c>-escaped; quotes,
    /// backslashes and control characters (CR, LF, NUL among them) are still escaped, so a payload stays one line.
    /// </summary>
    public static DashboardJsonContext Api { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new UtcMillisecondsConverter() },
    });
}
