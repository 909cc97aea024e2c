using System.Text.Json;
using System.Text.Json.Serialization;
using SseDashboard.Streaming;

namespace SseDashboard.History;

/// <summary>
/// <c>/api/history/{topic}</c>: a metric's numeric fields over a range, one point per bucket (its average, named as in
/// the live payload, with <c>min</c> and <c>max</c>); <c>timestamp</c> is the bucket's start.
/// </summary>
public sealed record MetricSeries(string Topic, DateTimeOffset From, DateTimeOffset To, int BucketSeconds, IReadOnlyList<MetricPoint> Points)
{
    /// <summary>
    /// Buckets of at least a second, whole minutes once a range is too long for seconds (or reaches past raw
    /// retention): those are read from the minute rollups, shorter ones from the samples. Buckets start on whole
    /// multiples of their size, so a chart redrawn a moment later keeps its points.
    /// </summary>
    public static async Task<MetricSeries> ReadAsync(
        HistoryStore store, string topic, string? host, DateTimeOffset from, DateTimeOffset to, TimeSpan rawRetention, DateTimeOffset now, int maxPoints, CancellationToken cancellationToken)
    {
        var (fromMs, toMs) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        // Whole seconds, so bucketSeconds says exactly what a bucket spans.
        var bucket = Math.Max(1, (toMs - fromMs + maxPoints * 1000L - 1) / (maxPoints * 1000L)) * 1000;
        var buckets = new SortedDictionary<long, Dictionary<string, Accumulator>>();
        if (bucket >= 60_000 || from < now - rawRetention)
        {
            bucket = (bucket + 59_999) / 60_000 * 60_000;
            foreach (var r in await store.ReadRollupsAsync(topic, host, fromMs / 60_000, (toMs + 59_999) / 60_000, bucket / 60_000, cancellationToken))
            {
                Field(buckets, r.Minute * 60_000, r.Field).Add(r.N, r.Sum, r.Min, r.Max);
            }
        }
        else
        {
            foreach (var sample in await store.ReadSamplesAsync(topic, host, fromMs, toMs, cancellationToken))
            {
                using var document = JsonDocument.Parse(sample.Payload);
                foreach (var (name, value) in SampleFields.Numeric(document.RootElement))
                {
                    Field(buckets, sample.At / bucket * bucket, name).Add(1, value, value, value);
                }
            }
        }

        var points = buckets.Select(b => new MetricPoint
        {
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(b.Key),
            Min = b.Value.ToDictionary(f => f.Key, f => f.Value.Min),
            Max = b.Value.ToDictionary(f => f.Key, f => f.Value.Max),
        }).ToArray();
        foreach (var (point, fields) in points.Zip(buckets.Values))
        {
            foreach (var (name, field) in fields)
            {
                point.Average[name] = Math.Round(field.Sum / field.N, 3);
            }
        }

        return new MetricSeries(topic, from, to, (int)(bucket / 1000), points);
    }

    private static Accumulator Field(SortedDictionary<long, Dictionary<string, Accumulator>> buckets, long start, string field)
    {
        if (!buckets.TryGetValue(start, out var fields))
        {
            buckets[start] = fields = [];
        }

        if (!fields.TryGetValue(field, out var accumulator))
        {
            fields[field] = accumulator = new Accumulator();
        }

        return accumulator;
    }

    private sealed class Accumulator
    {
        public long N { get; private set; }

        public double Sum { get; private set; }

        public double Min { get; private set; } = double.MaxValue;

        public double Max { get; private set; } = double.MinValue;

        public void Add(long n, double sum, double min, double max)
        {
            (N, Sum, Min, Max) = (N + n, Sum + sum, Math.Min(Min, min), Math.Max(Max, max));
        }
    }
}

/// <summary>One bucket: each field's average under its own name, and its least and greatest value.</summary>
public sealed class MetricPoint
{
    public required DateTimeOffset Timestamp { get; init; }

    public required IReadOnlyDictionary<string, double> Min { get; init; }

    public required IReadOnlyDictionary<string, double> Max { get; init; }

    /// <summary>Filled after construction: an extension data property cannot be an init-only one.</summary>
    [JsonExtensionData]
    public Dictionary<string, object> Average { get; } = [];
}

/// <summary>A line of <c>/api/logs</c>.</summary>
public sealed record StoredLine(long Id, DateTimeOffset Timestamp, string? File, string Text, string? Level)
{
    /// <summary>The host the line was written on.</summary>
    public string Host { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Cut { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Redacted { get; init; }

    /// <summary>A structured entry's members, as on the stream: message (template), fields, exception, category, trace id.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, JsonElement>? Fields { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Exception { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Category { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceId { get; init; }
}

/// <summary>A page of <c>/api/logs</c>, newest first; <c>next</c> is the <c>before</c> of the page after it (null at the end).</summary>
public sealed record LogPage(IReadOnlyList<StoredLine> Lines, long? Next);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MetricSeries))]
[JsonSerializable(typeof(LogPage))]
[JsonSerializable(typeof(double))]
internal sealed partial class HistoryJsonContext : JsonSerializerContext
{
    public static HistoryJsonContext Api { get; } = new(ApiJson.CreateOptions());
}
