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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null) : IHostPayload
{
    /// <summary>The host this is about (<c>Dashboard:HostName</c> of the process that measured it).</summary>
    public string Host { get; init; } = "";

    public IHostPayload WithHost(string host) => this with { Host = host };

    /// <summary>The history store: its provider, and while it fails why and since when (null with <c>Provider=None</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ServerStore? Store { get; init; }
}

public sealed record ServerDisconnects(long Client, long Overflow, long Stalled, long Capacity);

/// <summary><c>status</c> is <c>ok</c> or <c>failing</c>; <c>dropped</c> counts events left unstored since start.</summary>
public sealed record ServerStore(
    string Provider,
    string Status,
    long Dropped,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? FailingSince = null);

public static class ServerTopics
{
    public static readonly Topic<ServerSample> Server =
        new("server", TopicKind.State, "Server", ServerJsonContext.Api.ServerSample) { PerHost = true };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ServerSample))]
internal sealed partial class ServerJsonContext : JsonSerializerContext
{
    public static ServerJsonContext Api { get; } = new(ApiJson.CreateOptions());
}
