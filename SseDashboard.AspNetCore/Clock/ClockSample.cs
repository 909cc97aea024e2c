using System.Text.Json;
using System.Text.Json.Serialization;
using SseDashboard.Streaming;

namespace SseDashboard.Clock;

/// <summary>The <c>clock</c> payload: publish time and process uptime; <see cref="Error"/> while the clock is faulted.</summary>
public sealed record ClockSample(
    DateTimeOffset Timestamp,
    double UptimeSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null) : IHostPayload
{
    /// <summary>The dashboard node whose clock this is.</summary>
    public string Host { get; init; } = "";

    public IHostPayload WithHost(string host) => this with { Host = host };
}

public static class ClockTopics
{
    public static readonly Topic<ClockSample> Clock =
        new("clock", TopicKind.State, "Clock", ClockJsonContext.Api.ClockSample);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ClockSample))]
internal sealed partial class ClockJsonContext : JsonSerializerContext
{
    public static ClockJsonContext Api { get; } = new(ApiJson.CreateOptions());
}
