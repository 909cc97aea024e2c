using System.Text.Json;
using System.Text.Json.Serialization;
using SseDashboard.Streaming;

namespace SseDashboard.Metrics;

/// <summary>
/// The <c>cpu</c> payload. <c>systemPercent</c> is the machine's (or, under a cgroup <c>cpu.max</c>, the container's)
/// busy share; null when unavailable. History is for the panel's sparkline only.
/// </summary>
public sealed record CpuSample(
    DateTimeOffset Timestamp,
    double? SystemPercent,
    double? ProcessPercent,
    double? Cores,
    bool SystemAvailable,
    bool ContainerLimited,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null) : IHostPayload
{
    /// <summary>The host this is about (<c>Dashboard:HostName</c> of the process that measured it).</summary>
    public string Host { get; init; } = "";

    public IHostPayload WithHost(string host) => this with { Host = host };

    [JsonIgnore] public IReadOnlyList<double?> SystemHistory { get; init; } = [];

    [JsonIgnore] public IReadOnlyList<double?> ProcessHistory { get; init; } = [];

    public static CpuSample Faulted(DateTimeOffset timestamp, string error) => new(timestamp, null, null, null, false, false, error);
}

/// <summary>
/// The <c>memory</c> payload: machine (or cgroup <c>memory.max</c>) total and available, this process's working set,
/// GC heap and collection counts. Machine figures are null when unavailable.
/// </summary>
public sealed record MemorySample(
    DateTimeOffset Timestamp,
    long? TotalBytes,
    long? AvailableBytes,
    double? UsedPercent,
    long? ProcessWorkingSetBytes,
    long? GcHeapBytes,
    int? Gen0Collections,
    int? Gen1Collections,
    int? Gen2Collections,
    bool SystemAvailable,
    bool ContainerLimited,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null) : IHostPayload
{
    /// <summary>The host this is about (<c>Dashboard:HostName</c> of the process that measured it).</summary>
    public string Host { get; init; } = "";

    public IHostPayload WithHost(string host) => this with { Host = host };

    [JsonIgnore] public IReadOnlyList<double?> UsedHistory { get; init; } = [];

    [JsonIgnore] public IReadOnlyList<double?> WorkingSetHistory { get; init; } = [];

    public static MemorySample Faulted(DateTimeOffset timestamp, string error) =>
        new(timestamp, null, null, null, null, null, null, null, null, false, false, error);
}

/// <summary>The last <see cref="Capacity"/> values of a series, oldest first.</summary>
public sealed class SampleHistory
{
    public const int Capacity = 120;

    private readonly Queue<double?> _values = new(Capacity);

    public IReadOnlyList<double?> Add(double? value)
    {
        if (_values.Count == Capacity)
        {
            _values.Dequeue();
        }

        _values.Enqueue(value);
        return _values.ToArray();
    }
}

public static class MetricsTopics
{
    public static readonly Topic<CpuSample> Cpu =
        new("cpu", TopicKind.State, "CPU", MetricsJsonContext.Api.CpuSample) { PerHost = true };

    public static readonly Topic<MemorySample> Memory =
        new("memory", TopicKind.State, "Memory", MetricsJsonContext.Api.MemorySample) { PerHost = true };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CpuSample))]
[JsonSerializable(typeof(MemorySample))]
internal sealed partial class MetricsJsonContext : JsonSerializerContext
{
    public static MetricsJsonContext Api { get; } = new(ApiJson.CreateOptions());
}

/// <summary>
/// In a fleet, cpu and memory come back from the store without their sparklines' values: each host's are kept here, as
/// the sampler keeps its own host's.
/// </summary>
public sealed class StoredMetricsHistories : IPayloadRestorer
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SampleHistory[]> _byHost = new(StringComparer.Ordinal);

    public object Restore(Topic topic, object payload)
    {
        lock (_lock)
        {
            return payload switch
            {
                CpuSample cpu => cpu with
                {
                    SystemHistory = Of(cpu.Host)[0].Add(cpu.SystemPercent),
                    ProcessHistory = Of(cpu.Host)[1].Add(cpu.ProcessPercent),
                },
                MemorySample memory => memory with
                {
                    UsedHistory = Of(memory.Host)[2].Add(memory.UsedPercent),
                    WorkingSetHistory = Of(memory.Host)[3].Add(memory.ProcessWorkingSetBytes),
                },
                _ => payload,
            };
        }
    }

    private SampleHistory[] Of(string host)
    {
        if (!_byHost.TryGetValue(host, out var histories))
        {
            _byHost[host] = histories = [new(), new(), new(), new()];
        }

        return histories;
    }
}
