using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SseDashboard.Streaming;

/// <summary>
/// How payloads of the public API are written: camelCase, UTC millisecond timestamps, and text kept as written. The
/// data goes out as <c>text/event-stream</c>, never into HTML, so <c>café</c>, <c>a+b</c> and <c>&lt;tag&gt;</c> are
/// not <c>\u00E9</c>-escaped; quotes, backslashes and control characters (CR, LF, NUL) still are, so a payload stays
/// one line.
/// </summary>
public static class ApiJson
{
    /// <summary>Fresh options for a feature's source-generated context (a context locks the options it is given).</summary>
    public static JsonSerializerOptions CreateOptions() => new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new UtcMillisecondsConverter() },
    };
}

/// <summary>The one timestamp format of the public API: UTC ISO 8601 with milliseconds, e.g. 2026-01-02T03:04:05.678Z.</summary>
public static class Timestamps
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

public sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Timestamps.Format(value));
}
