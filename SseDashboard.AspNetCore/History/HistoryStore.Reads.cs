using Dapper;

namespace SseDashboard.History;

/// <summary>The store's reads: log lines to resume or search, samples and rollups for charts, hosts, file positions.</summary>
public abstract partial class HistoryStore
{
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
        if (query.Levels is { Count: 0 })
        {
            return []; // no level can match (level:info with level=warn)
        }

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

        for (var i = 0; i < query.Fields.Count; i++)
        {
            where.Add(FieldEquals($"field{i}", query.Fields[i].Key, query.Fields[i].Value, parameters));
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
            $"SELECT l.id, l.event_id AS EventId, l.at, l.file, l.kind, l.level, l.text, l.flags, l.error, l.skipped, l.host, l.extra FROM {from} WHERE {string.Join(" AND ", where)} ORDER BY {orderBy} {(oldestFirst ? "" : "DESC")} LIMIT @limit",
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
}
