using System.Data.Common;
using System.Text;
using System.Text.Json;
using Dapper;

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
        foreach (var field in root.EnumerateObject())
        {
            if (field.Value.ValueKind == JsonValueKind.Number)
            {
                var value = field.Value.GetDouble();
                var key = (topic, host, field.Name, minute);
                Rollups[key] = Rollups.TryGetValue(key, out var r)
                    ? r with { N = r.N + 1, Sum = r.Sum + value, Min = Math.Min(r.Min, value), Max = Math.Max(r.Max, value) }
                    : new RollupRow(topic, field.Name, minute, 1, value, value, value) { Host = host };
            }
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
}

/// <summary>What retention removes: everything older than these times (Unix ms), and log lines beyond a count.</summary>
public sealed record Retention(long SamplesBefore, long RollupsBefore, long LinesBefore, long MaxLines);

/// <summary>
/// The history store's SQL, the same on SQLite and PostgreSQL where the dialects agree (Dapper, one connection per
/// operation from the provider's pool). A provider supplies its schema, its full-text search and what differs.
/// </summary>
public abstract class HistoryStore : IAsyncDisposable
{
    protected const string LogColumns = "id, event_id AS EventId, at, file, kind, level, text, flags, error, skipped, host";

    private const int TrimChunk = 10_000;

    public abstract StoreProvider Provider { get; }

    /// <summary>The schema's versions: script N (from 1) takes the schema from version N - 1 to N.</summary>
    protected abstract IReadOnlyList<string> Migrations { get; }

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Inserts a batch of log lines' text into the search index (lines only, not markers).</summary>
    protected abstract Task IndexAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LogRow> lines);

    /// <summary>Removes lines <paramref name="from"/>..<paramref name="to"/> from the search index, when it is separate.</summary>
    protected abstract Task UnindexAsync(DbConnection connection, DbTransaction transaction, long from, long to);

    /// <summary>
    /// The FROM and WHERE of a text search over <c>log_lines</c> (aliased <c>l</c>) for <c>@text</c>, its parameter, and
    /// the id to order by (the index's own, when it can give matches newest first and stop at the limit).
    /// </summary>
    protected abstract (string From, string Where, object Text, string OrderBy) Search(string text);

    /// <summary>Inserts log rows; row by row here (SQLite runs in-process), in one statement where a round trip costs.</summary>
    protected virtual Task InsertLinesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LogRow> lines) =>
        connection.ExecuteAsync("""
            INSERT INTO log_lines (id, event_id, at, file, kind, level, text, flags, error, skipped, host)
            VALUES (@Id, @EventId, @At, @File, @Kind, @Level, @Text, @Flags, @Error, @Skipped, @Host)
            """, lines, transaction);

    protected virtual Task InsertSamplesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<SampleRow> samples) =>
        connection.ExecuteAsync("INSERT INTO samples (id, topic, at, payload, host) VALUES (@Id, @Topic, @At, @Payload, @Host)", samples, transaction);

    /// <summary>
    /// Whether the store hands out ids (PostgreSQL: a fleet's writers share one sequence); else the caller's ids are
    /// stored as given (SQLite: the one process's hub numbers its events).
    /// </summary>
    public virtual bool AssignsIds => false;

    /// <summary>Removes what a provider keeps only for a while (a fleet's record of stored batches).</summary>
    protected virtual Task<int> TrimBookkeepingAsync(DbConnection connection) => Task.FromResult(0);

    /// <summary>Serialises schema changes between processes starting together on one database (none needed in-process).</summary>
    protected virtual Task LockSchemaAsync(DbConnection connection) => Task.CompletedTask;

    protected virtual Task UnlockSchemaAsync(DbConnection connection) => Task.CompletedTask;

    /// <summary>
    /// Whether this process may apply retention now: a fleet's dashboard nodes share one store, and two trimming at once
    /// would both count the same lines as gone. One that may not leaves it to the one that does.
    /// </summary>
    protected virtual Task<bool> TryLockTrimAsync(DbConnection connection) => Task.FromResult(true);

    protected virtual Task UnlockTrimAsync(DbConnection connection) => Task.CompletedTask;

    /// <summary>Takes the schema to the newest version, each step in its own transaction; refuses a newer schema.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await LockSchemaAsync(connection);
        try
        {
            await MigrateLockedAsync(connection, cancellationToken);
        }
        finally
        {
            await UnlockSchemaAsync(connection);
        }
    }

    private async Task MigrateLockedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        var version = await connection.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(version), 0) FROM schema_version");
        if (version > Migrations.Count)
        {
            throw new HistorySchemaException(
                $"The {Provider} store's schema is version {version}, newer than this build knows ({Migrations.Count}): run a newer SseDashboard, or point Dashboard:Store:ConnectionString elsewhere.");
        }

        for (var next = version + 1; next <= Migrations.Count; next++)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(Migrations[next - 1], transaction: transaction);
            await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@next)", new { next }, transaction);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    public async Task<int> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    }

    /// <summary>The oldest and newest ids stored, of any topic (null when empty).</summary>
    public async Task<(long? Oldest, long? Newest)> RangeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var range = await connection.QuerySingleAsync<(long?, long?)>("""
            SELECT MIN(low), MAX(high) FROM (
                SELECT MIN(id) AS low, MAX(id) AS high FROM samples
                UNION ALL SELECT MIN(id), MAX(id) FROM log_lines) AS ranges
            """);
        return range;
    }

    /// <summary>The newest id the store holds, or has handed out where it numbers events.</summary>
    public virtual async Task<long> NewestIdAsync(CancellationToken cancellationToken) =>
        (await RangeAsync(cancellationToken)).Newest ?? 0;

    /// <summary>
    /// Stores one batch in one transaction: samples, lines (and their index), minute rollups, file positions, the
    /// host's last write; the batch's newest id. A store that hands out ids (<see cref="AssignsIds"/>) takes them here,
    /// and skips a batch it already stored (0).
    /// </summary>
    public virtual async Task<long> WriteAsync(HistoryWrite write, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (write.Samples.Count > 0)
        {
            await InsertSamplesAsync(connection, transaction, write.Samples);
        }

        if (write.Lines.Count > 0)
        {
            await InsertLinesAsync(connection, transaction, write.Lines);
            var text = write.Lines.Where(l => l.Text is not null).ToList();
            if (text.Count > 0)
            {
                await IndexAsync(connection, transaction, text);
                await connection.ExecuteAsync("UPDATE store_state SET value = value + @count WHERE name = 'log_lines'", new { count = text.Count }, transaction);
            }
        }

        if (write.Rollups.Count > 0)
        {
            await connection.ExecuteAsync("""
                INSERT INTO rollups (topic, host, field, minute, n, sum, min, max) VALUES (@Topic, @Host, @Field, @Minute, @N, @Sum, @Min, @Max)
                ON CONFLICT (topic, host, field, minute) DO UPDATE SET n = rollups.n + excluded.n, sum = rollups.sum + excluded.sum,
                    min = MIN(rollups.min, excluded.min), max = MAX(rollups.max, excluded.max)
                """, write.Rollups.Values, transaction);
        }

        if (write.Positions.Count > 0)
        {
            await connection.ExecuteAsync("""
                INSERT INTO file_positions (host, device, inode, path, "offset") VALUES (@Host, @Device, @Inode, @Path, @Offset)
                ON CONFLICT (host, device, inode) DO UPDATE SET path = excluded.path, "offset" = excluded."offset"
                """, write.Positions.Values, transaction);
        }

        if (write.LostUpTo > 0)
        {
            await connection.ExecuteAsync("""
                INSERT INTO store_state (name, value) VALUES ('log_dropped_up_to', @LostUpTo)
                ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value)
                """, new { write.LostUpTo }, transaction);
        }

        if (write.Host.Length > 0)
        {
            await connection.ExecuteAsync("""
                INSERT INTO hosts (host, role, last_seen, interval_ms) VALUES (@Host, @Role, @now, @IntervalMs)
                ON CONFLICT (host) DO UPDATE SET role = excluded.role, last_seen = excluded.last_seen, interval_ms = excluded.interval_ms
                """, new { write.Host, write.Role, now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), write.IntervalMs }, transaction);
        }

        await transaction.CommitAsync(cancellationToken);
        return write.IdCount;
    }

    /// <summary>Log rows after <paramref name="afterId"/> up to <paramref name="upTo"/>, of <paramref name="hosts"/> (null: all), oldest first.</summary>
    public async Task<IReadOnlyList<LogRow>> ReadLogAfterAsync(long afterId, long upTo, IReadOnlySet<string>? hosts, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var parameters = new DynamicParameters(new { afterId, upTo, limit });
        return (await connection.QueryAsync<LogRow>(
            $"SELECT {LogColumns} FROM log_lines WHERE id > @afterId AND id <= @upTo {HostIn(hosts, parameters)} ORDER BY id LIMIT @limit",
            parameters)).AsList();
    }

    // "AND l.host IN (@host0, …)" with its parameters, or nothing for every host.
    private static string HostIn(IEnumerable<string>? hosts, DynamicParameters parameters, string column = "host")
    {
        if (hosts?.ToArray() is not { Length: > 0 } names)
        {
            return "";
        }

        for (var i = 0; i < names.Length; i++)
        {
            parameters.Add($"host{i}", names[i]);
        }

        return $"AND {column} IN ({string.Join(", ", names.Select((_, i) => $"@host{i}"))})";
    }

    /// <summary>The newest <paramref name="limit"/> log rows up to <paramref name="upTo"/>, oldest first.</summary>
    public async Task<IReadOnlyList<LogRow>> ReadRecentLogAsync(long upTo, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<LogRow>(
            $"SELECT {LogColumns} FROM log_lines WHERE id <= @upTo ORDER BY id DESC LIMIT @limit", new { upTo, limit })).AsList();
        rows.Reverse();
        return rows;
    }

    /// <summary>
    /// The newest log line id retention has removed, or the writer dropped unstored (0 before any): a resume from before
    /// it cannot be honoured.
    /// </summary>
    public async Task<long> LogLostUpToAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT MAX(value) FROM store_state WHERE name IN ('log_trimmed_up_to', 'log_dropped_up_to')");
    }

    /// <summary>A page of log lines (markers left out), newest first.</summary>
    public async Task<IReadOnlyList<LogRow>> QueryLogsAsync(LogQuery query, CancellationToken cancellationToken)
    {
        var (from, orderBy) = ("log_lines l", "l.id");
        var where = new List<string> { "l.text IS NOT NULL" };
        var parameters = new DynamicParameters();
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            if (!SearchTerms.HasWords(query.Text))
            {
                return []; // punctuation only: no word to find
            }

            var search = Search(query.Text);
            (from, orderBy) = (search.From, search.OrderBy);
            where.Add(search.Where);
            parameters.Add("text", search.Text);
        }

        Add("l.at >= @from", "from", query.From);
        Add("l.at < @to", "to", query.To);
        Add("l.id < @before", "before", query.Before);
        Add("l.id > @after", "after", query.After);
        Add("l.file = @file", "file", query.File);
        if (HostIn(query.Hosts, parameters, "l.host") is { Length: > 0 } hostIn)
        {
            where.Add(hostIn["AND ".Length..]);
        }

        if (query.Levels is { Count: > 0 } levels)
        {
            where.Add($"l.level IN ({string.Join(", ", levels.Select((_, i) => $"@level{i}"))})");
            for (var i = 0; i < levels.Count; i++)
            {
                parameters.Add($"level{i}", levels[i]);
            }
        }

        parameters.Add("limit", query.Limit);
        var oldestFirst = query.After is not null && query.Before is null;
        await using var connection = await OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<LogRow>(
            $"SELECT l.id, l.event_id AS EventId, l.at, l.file, l.kind, l.level, l.text, l.flags, l.error, l.skipped, l.host FROM {from} WHERE {string.Join(" AND ", where)} ORDER BY {orderBy} {(oldestFirst ? "" : "DESC")} LIMIT @limit",
            parameters)).AsList();
        if (oldestFirst)
        {
            rows.Reverse();
        }

        return rows;

        void Add(string condition, string name, object? value)
        {
            if (value is not null)
            {
                where.Add(condition);
                parameters.Add(name, value);
            }
        }
    }

    /// <summary>
    /// A state topic's stored events with <paramref name="from"/> ≤ at &lt; <paramref name="to"/> (Unix ms), of
    /// <paramref name="host"/> (null: every host's), oldest first.
    /// </summary>
    public async Task<IReadOnlyList<SampleRow>> ReadSamplesAsync(string topic, string? host, long from, long to, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QueryAsync<SampleRow>(
            $"SELECT id, topic, at, payload, host FROM samples WHERE topic = @topic {HostIs(host)} AND at >= @from AND at < @to ORDER BY at, id",
            new { topic, host, from, to })).AsList();
    }

    private static string HostIs(string? host) => host is null ? "" : "AND host = @host";

    /// <summary>
    /// A state topic's minute rollups with <paramref name="fromMinute"/> ≤ minute &lt; <paramref name="toMinute"/>, merged
    /// into buckets of <paramref name="minutes"/> (each row's minute is its bucket's first) by the database.
    /// </summary>
    public async Task<IReadOnlyList<RollupRow>> ReadRollupsAsync(string topic, string? host, long fromMinute, long toMinute, long minutes, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QueryAsync<RollupRow>(
            $"""
            SELECT topic, field, minute / @minutes * @minutes AS minute, SUM(n) AS n, SUM(sum) AS sum, MIN(min) AS min, MAX(max) AS max
            FROM rollups WHERE topic = @topic {HostIs(host)} AND minute >= @fromMinute AND minute < @toMinute
            GROUP BY topic, field, minute / @minutes
            """,
            new { topic, host, fromMinute, toMinute, minutes })).AsList();
    }

    /// <summary>The hosts that wrote at or after <paramref name="since"/> (Unix ms), by name.</summary>
    public async Task<IReadOnlyList<HostRow>> ReadHostsAsync(long since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QueryAsync<HostRow>(
            "SELECT host, role, last_seen AS LastSeen, interval_ms AS IntervalMs FROM hosts WHERE last_seen >= @since ORDER BY host",
            new { since })).AsList();
    }

    /// <summary>How far <paramref name="host"/>'s followed files were published.</summary>
    public async Task<IReadOnlyList<FilePositionRow>> ReadPositionsAsync(string host, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QueryAsync<FilePositionRow>(
            "SELECT host, device, inode, path, \"offset\" FROM file_positions WHERE host = @host", new { host })).AsList();
    }

    /// <summary>Applies retention in short transactions (so writers wait little); how many rows went.</summary>
    public async Task<long> TrimAsync(Retention retention, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        if (!await TryLockTrimAsync(connection))
        {
            return 0;
        }

        try
        {
            return await TrimLockedAsync(connection, retention, cancellationToken);
        }
        finally
        {
            await UnlockTrimAsync(connection);
        }
    }

    private async Task<long> TrimLockedAsync(DbConnection connection, Retention retention, CancellationToken cancellationToken)
    {
        long removed = 0;
        removed += await DeleteInChunksAsync(connection, "samples", "at < @before", new { before = retention.SamplesBefore }, cancellationToken);
        removed += await connection.ExecuteAsync("DELETE FROM rollups WHERE minute < @minute", new { minute = retention.RollupsBefore / 60_000 });
        removed += await TrimBookkeepingAsync(connection);

        while (!cancellationToken.IsCancellationRequested)
        {
            // The oldest lines past their time, or past the count: contiguous ids, removed as one range.
            var count = await connection.ExecuteScalarAsync<long>("SELECT value FROM store_state WHERE name = 'log_lines'");
            var excess = Math.Max(0, count - retention.MaxLines);
            var ids = (await connection.QueryAsync<(long Id, long At, long Line)>(
                "SELECT id, at, CAST(CASE WHEN text IS NULL THEN 0 ELSE 1 END AS BIGINT) FROM log_lines ORDER BY id LIMIT @limit",
                new { limit = TrimChunk })).AsList();
            var take = 0;
            var lines = 0L;
            while (take < ids.Count && (ids[take].At < retention.LinesBefore || lines < excess))
            {
                lines += ids[take].Line;
                take++;
            }

            if (take == 0)
            {
                break;
            }

            var (low, high) = (ids[0].Id, ids[take - 1].Id);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await UnindexAsync(connection, transaction, low, high);
            removed += await connection.ExecuteAsync("DELETE FROM log_lines WHERE id BETWEEN @low AND @high", new { low, high }, transaction);
            await connection.ExecuteAsync("UPDATE store_state SET value = value - @lines WHERE name = 'log_lines'", new { lines }, transaction);
            await connection.ExecuteAsync("UPDATE store_state SET value = @high WHERE name = 'log_trimmed_up_to'", new { high }, transaction);
            await transaction.CommitAsync(cancellationToken);
        }

        return removed;
    }

    private static async Task<long> DeleteInChunksAsync(DbConnection connection, string table, string condition, object parameters, CancellationToken cancellationToken)
    {
        long removed = 0;
        int deleted;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            deleted = await connection.ExecuteAsync(
                $"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE {condition} ORDER BY id LIMIT {TrimChunk})", parameters);
            removed += deleted;
        }
        while (deleted == TrimChunk);
        return removed;
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
