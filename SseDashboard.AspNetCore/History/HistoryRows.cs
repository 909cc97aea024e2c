using System.Text;
using System.Text.Json;
using SseDashboard.LogTail;
using SseDashboard.Streaming;

namespace SseDashboard.History;

/// <summary>A store whose schema this build cannot use: start-up stops rather than write into it.</summary>
public sealed class HistorySchemaException(string message) : InvalidOperationException(message);

/// <summary>A state topic's event as stored: its JSON payload, as published.</summary>
public sealed record SampleRow(long Id, string Topic, long At, string Payload)
{
    /// <summary>The host it is about ("" for rows stored before hosts were).</summary>
    public string Host { get; init; } = "";

    // For Dapper, which sets the properties by name: a provider's column types need not match the constructor's.
    private SampleRow() : this(0, "", 0, "") { }
}

/// <summary>
/// One log line (or a marker: <see cref="Text"/> null) of a <c>log</c> event. Lines have ids of their own, the event's
/// being its last line's; <see cref="Flags"/>: 1 cut, 2 redacted.
/// </summary>
public sealed record LogRow(long Id, long EventId, long At, string? File, string Kind, string? Level, string? Text, long Flags, string? Error, long? Skipped)
{
    public const long Cut = 1;

    private LogRow() : this(0, 0, 0, null, "", null, null, 0, null, null) { }

    public string Host { get; init; } = "";

    /// <summary>A structured entry's message, fields, exception, category and trace id, as JSON (null for a plain line).</summary>
    public string? Extra { get; init; }

    public const long Redacted = 2;
}

/// <summary>One minute of one numeric field of a state topic: how many samples, their sum, least and greatest.</summary>
public sealed record RollupRow(string Topic, string Field, long Minute, long N, double Sum, double Min, double Max)
{
    public string Host { get; init; } = "";

    private RollupRow() : this("", "", 0, 0, 0, 0, 0) { }
}

/// <summary>A host that writes to the store: its role, when it last wrote (Unix ms) and how often it reports.</summary>
public sealed record HostRow(string Host, string Role, long LastSeen, long IntervalMs)
{
    private HostRow() : this("", "", 0, 0) { }
}

/// <summary>How far a followed file (by device and inode) has been published.</summary>
public sealed record FilePositionRow(long Device, long Inode, string Path, long Offset)
{
    public string Host { get; init; } = "";

    private FilePositionRow() : this(0, 0, "", 0) { }
}

/// <summary>
/// What one transaction stores: a batch of one host's events and the file positions they reach. Where the store hands
/// out ids (a fleet's PostgreSQL), the rows' ids are numbered from 1 in the batch and moved onto the shared sequence
/// at commit; <see cref="Run"/> and <see cref="Batch"/> name the batch, so one retried after a lost reply is stored once.
/// </summary>
public sealed class HistoryWrite
{
    public string Host { get; init; } = "";

    /// <summary>What the host is (<c>Dashboard</c> or <c>Agent</c>) and how often it reports: kept with when it last wrote.</summary>
    public string Role { get; init; } = "";

    public long IntervalMs { get; init; }

    public string Run { get; init; } = "";

    public long Batch { get; init; }

    /// <summary>How many ids the batch takes (the newest row's id, before the store moves them).</summary>
    public long IdCount { get; set; }

    public List<SampleRow> Samples { get; } = [];

    public List<LogRow> Lines { get; } = [];

    public Dictionary<(string Topic, string Host, string Field, long Minute), RollupRow> Rollups { get; } = [];

    public Dictionary<(long Device, long Inode), FilePositionRow> Positions { get; } = [];

    public int Count => Samples.Count + Lines.Count;

    /// <summary>
    /// Log ids up to which lines were dropped unstored (the writer's queue was full), 0 when none: kept, so a resume
    /// from before them is not honoured after a restart either. Only where the hub numbers events (a store that
    /// numbers them leaves no gaps).
    /// </summary>
    public long LostUpTo { get; set; }

    /// <summary>An event to store under <paramref name="id"/>: a log batch's lines and file positions, or a state topic's sample.</summary>
    public void Add(long id, Topic topic, object payload)
    {
        if (payload is LogBatch batch)
        {
            LogRows.Add(Lines, id, batch);
            foreach (var position in batch.Positions)
            {
                var (device, inode) = (unchecked((long)position.Identity.Device), unchecked((long)position.Identity.Inode));
                Positions[(device, inode)] = new FilePositionRow(device, inode, position.Path, position.Offset) { Host = Host };
            }

            return;
        }

        if (topic.Kind == TopicKind.State)
        {
            AddSample(id, topic.Name, topic.SerializeJson(payload), topic.HostOf(payload) ?? Host);
        }
    }

    /// <summary>
    /// Adds a state topic's event (its JSON payload) and each numeric field to its minute's rollup: what ranges longer
    /// than a few hours are drawn from, and all that is kept of samples older than MetricsRetention.
    /// </summary>
    public void AddSample(long id, string topic, byte[] json, string host)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var at = root.TryGetProperty("timestamp", out var timestamp) && timestamp.TryGetDateTimeOffset(out var time)
            ? time.ToUnixTimeMilliseconds()
            : 0;
        Samples.Add(new SampleRow(id, topic, at, Encoding.UTF8.GetString(json)) { Host = host });

        var minute = at / 60_000;
        foreach (var (name, value) in SampleFields.Numeric(root))
        {
            var key = (topic, host, name, minute);
            Rollups[key] = Rollups.TryGetValue(key, out var r)
                ? r with { N = r.N + 1, Sum = r.Sum + value, Min = Math.Min(r.Min, value), Max = Math.Max(r.Max, value) }
                : new RollupRow(topic, name, minute, 1, value, value, value) { Host = host };
        }
    }
}

/// <summary>
/// A page of <c>/api/logs</c>: times in Unix ms, <see cref="Levels"/> the levels wanted. Lines before
/// <see cref="Before"/>, the newest first; or with <see cref="After"/> alone, the oldest after it (still given newest first).
/// </summary>
public sealed record LogQuery(long? From, long? To, string? Text, IReadOnlyList<string>? Levels, string? File, long? Before, int Limit, long? After = null)
{
    /// <summary>Only these hosts' lines (null: every host's).</summary>
    public IReadOnlyList<string>? Hosts { get; init; }

    /// <summary>Only entries whose field KEY is VALUE, for each (<c>field.KEY=VALUE</c>): as written, a number or text alike.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; init; } = [];
}

/// <summary>What retention removes: everything older than these times (Unix ms), and log lines beyond a count.</summary>
public sealed record Retention(long SamplesBefore, long RollupsBefore, long LinesBefore, long MaxLines);
