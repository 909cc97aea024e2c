using System.Text.Json;
using System.Text.Json.Serialization;
using SseDashboard.Streaming;

namespace SseDashboard.Meters;

/// <summary>
/// The <c>meters</c> payload: each configured instrument the app has, in the configured order. <see cref="Error"/>
/// only while the producer is faulted.
/// </summary>
public sealed record MetersSample(
    DateTimeOffset Timestamp,
    IReadOnlyList<InstrumentReading> Instruments,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null) : IHostPayload
{
    /// <summary>The host this is about (<c>Dashboard:HostName</c> of the process that measured it).</summary>
    public string Host { get; init; } = "";

    public IHostPayload WithHost(string host) => this with { Host = host };

    public static MetersSample Faulted(DateTimeOffset timestamp, string error) => new(timestamp, [], error);
}

/// <summary>
/// One instrument over the last interval. A counter's <see cref="Value"/> is its rate (<see cref="Unit"/> ends in
/// <c>/s</c>); a histogram's is how many it recorded per second, with <see cref="P50"/> and <see cref="P99"/> (in ms for
/// a duration in s or ms, else in its own unit); an up-down counter's is its value now, summed over its tag sets
/// (counted from when the listener started); a gauge's is its last value (an observable one's, summed over its tag sets).
/// Null until known (a rate needs two readings).
/// </summary>
public sealed record InstrumentReading(
    string Name,
    string Unit,
    double? Value,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? P50 = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? P99 = null)
{
    /// <summary>The unit of <see cref="P50"/> and <see cref="P99"/>: ms for a duration, else the histogram's own. Not sent.</summary>
    [JsonIgnore] public string PercentileUnit { get; init; } = "ms";

    /// <summary>The last values, oldest first, for the panel's sparkline.</summary>
    [JsonIgnore] public IReadOnlyList<double?> History { get; init; } = [];
}

public static class MetersTopics
{
    public static readonly Topic<MetersSample> Meters =
        new("meters", TopicKind.State, "Meters", MetersJsonContext.Api.MetersSample) { PerHost = true };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MetersSample))]
internal sealed partial class MetersJsonContext : JsonSerializerContext
{
    public static MetersJsonContext Api { get; } = new(ApiJson.CreateOptions());
}
