using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using SseDashboard.History;
using SseDashboard.Metrics;
using SseDashboard.Streaming;

namespace SseDashboard.Fleet;

/// <summary>
/// <c>GET /api/hosts</c>: every host seen in the last day, with its role, when it was last seen, whether it is online
/// (seen within 3 of its intervals), stale or offline (not for 60 s), and its newest cpu and memory payloads.
/// </summary>
public static class HostsApi
{
    public const int StaleAfterIntervals = 3;

    public static readonly TimeSpan OfflineAfter = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan ListedFor = TimeSpan.FromHours(24);

    public static IEndpointRouteBuilder MapHostsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/hosts", async (HostDirectory hosts, CancellationToken cancellationToken) =>
            TypedResults.Json(await hosts.ListAsync(cancellationToken), FleetJsonContext.Api.IReadOnlyListHostEntry));
        return app;
    }
}

/// <summary>One host as <c>/api/hosts</c> and the fleet grid show it.</summary>
public sealed record HostEntry(string Host, string Role, DateTimeOffset LastSeen, string Status, JsonElement? Cpu, JsonElement? Memory)
{
    /// <summary>The newest cpu and memory samples themselves, for the grid's cards (not sent: the JSON has them).</summary>
    [JsonIgnore]
    public CpuSample? CpuSample { get; init; }

    [JsonIgnore]
    public MemorySample? MemorySample { get; init; }

    /// <summary>How often the host samples: the grid's cards go stale after <see cref="HostsApi.StaleAfterIntervals"/> of them.</summary>
    [JsonIgnore]
    public TimeSpan Interval { get; init; }
}

/// <summary>The hosts a dashboard node knows: those the store saw in the last day, and those its hub has events of.</summary>
public sealed class HostDirectory(
    EventHub hub,
    TimeProvider timeProvider,
    IOptions<NodeOptions> node,
    IOptions<MetricsOptions> metrics,
    HistoryStore? store = null)
{
    public async Task<IReadOnlyList<HostEntry>> ListAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var rows = store is null ? [] : await ReadAsync(now - HostsApi.ListedFor, cancellationToken);
        var snapshot = await hub.SnapshotAsync([MetricsTopics.Cpu, MetricsTopics.Memory], cancellationToken: cancellationToken);
        var cpu = Newest<CpuSample>(snapshot, MetricsTopics.Cpu);
        var memory = Newest<MemorySample>(snapshot, MetricsTopics.Memory);

        var names = rows.Select(r => r.Host).Concat(cpu.Keys).Concat(memory.Keys).Where(h => h.Length > 0).Distinct(StringComparer.Ordinal);
        var entries = new List<HostEntry>();
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            var row = rows.FirstOrDefault(r => r.Host == name);
            var sampled = new[] { cpu.GetValueOrDefault(name)?.Timestamp, memory.GetValueOrDefault(name)?.Timestamp }.Max();
            var written = row is null ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(row.LastSeen);
            var lastSeen = new[] { sampled, written }.Max() ?? now;
            if (now - lastSeen > HostsApi.ListedFor)
            {
                continue;
            }

            var interval = row is { IntervalMs: > 0 } ? TimeSpan.FromMilliseconds(row.IntervalMs) : metrics.Value.Interval;
            var status = now - lastSeen <= interval * HostsApi.StaleAfterIntervals ? "online"
                : now - lastSeen <= HostsApi.OfflineAfter ? "stale"
                : "offline";
            var role = row?.Role is { Length: > 0 } stored ? stored : name == node.Value.HostName ? node.Value.Role.ToString() : nameof(NodeRole.Dashboard);
            entries.Add(new HostEntry(name, role, lastSeen, status, Json(MetricsTopics.Cpu, cpu.GetValueOrDefault(name)), Json(MetricsTopics.Memory, memory.GetValueOrDefault(name)))
            {
                CpuSample = cpu.GetValueOrDefault(name),
                MemorySample = memory.GetValueOrDefault(name),
                Interval = interval,
            });
        }

        return entries;
    }

    // A store that cannot be read leaves the hosts the hub knows.
    private async Task<IReadOnlyList<HostRow>> ReadAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        try
        {
            return await store!.ReadHostsAsync(since.ToUnixTimeMilliseconds(), cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return [];
        }
    }

    private static Dictionary<string, T> Newest<T>(HubSnapshot snapshot, Topic topic) =>
        snapshot.Events[topic.Name]
            .Where(e => e.Host is not null && e.Payload is T)
            .GroupBy(e => e.Host!)
            .ToDictionary(g => g.Key, g => (T)g.MaxBy(e => e.Id)!.Payload!, StringComparer.Ordinal);

    private static JsonElement? Json(Topic topic, object? payload) =>
        payload is null ? null : JsonDocument.Parse(topic.SerializeJson(payload)).RootElement.Clone();
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyList<HostEntry>))]
internal sealed partial class FleetJsonContext : JsonSerializerContext
{
    public static FleetJsonContext Api { get; } = new(ApiJson.CreateOptions());
}
