using System.Text.Json;
using System.Text.Json.Serialization;

namespace SseDashboard.Producers;

/// <summary>Source-generated JSON for every payload of the public API (camelCase, UTC millisecond timestamps).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, Converters = [typeof(UtcMillisecondsConverter)])]
[JsonSerializable(typeof(ClockSample))]
[JsonSerializable(typeof(CpuSample))]
[JsonSerializable(typeof(MemorySample))]
[JsonSerializable(typeof(LogBatch))]
public sealed partial class DashboardJsonContext : JsonSerializerContext;
