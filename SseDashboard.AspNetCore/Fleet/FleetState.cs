using System.Text.Json;
using System.Text.Json.Serialization;
using SseDashboard.Streaming;

namespace SseDashboard.Fleet;

/// <summary>
/// Whether the dashboard node a reader is connected to can read the fleet store (the <c>fleet</c> topic, a fleet's
/// dashboard nodes only): while it cannot, the node shows its own host only, under a banner.
/// </summary>
public sealed record FleetState(
    DateTimeOffset Timestamp,
    bool Available,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? UnavailableSince = null) : IHostPayload
{
    /// <summary>The dashboard node this is about.</summary>
    public string Host { get; init; } = "";

    public IHostPayload WithHost(string host) => this with { Host = host };
}

public static class FleetTopics
{
    /// <summary>The node's own, like the clock: not stored, sent with no id.</summary>
    public static readonly Topic<FleetState> Fleet =
        new("fleet", TopicKind.State, "Fleet store", FleetStateJsonContext.Api.FleetState);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FleetState))]
internal sealed partial class FleetStateJsonContext : JsonSerializerContext
{
    public static FleetStateJsonContext Api { get; } = new(ApiJson.CreateOptions());
}
