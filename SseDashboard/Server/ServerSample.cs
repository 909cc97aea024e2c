using System.Text.Json;
using System.Text.Json.Serialization;
using SseDashboard.Streaming;

namespace SseDashboard.Server;

/// <summary>
/// The <c>server</c> payload: this dashboard's own load. Rates are over the last interval; disconnects are totals since
/// start, by reason (capacity: refused with 503). <see cref="Error"/> only while the producer is faulted.
/// </summary>
public sealed record ServerSample(
    DateTimeOffset Timestamp,
    long Connections,
    double EventsPerSecond,
    double BytesPerSecond,
    ServerDisconnects Disconnects,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

public sealed record ServerDisconnects(long Client, long Overflow, long Stalled, long Capacity);

public static class ServerTopics
{
    public static readonly Topic<ServerSample> Server =
        new("server", TopicKind.State, "Server", ServerJsonContext.Api.ServerSample);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ServerSample))]
internal sealed partial class ServerJsonContext : JsonSerializerContext
{
    public static ServerJsonContext Api { get; } = new(ApiJson.CreateOptions());
}
