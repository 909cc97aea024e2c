using System.Text.Json;
using System.Data.Common;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace SseDashboard.History;

/// <summary>
/// The PostgreSQL store: the same tables, log search by a generated <c>tsvector</c> of each line's words with a GIN
/// index. A word is a run of letters and digits, as FTS5's default tokenizer has it (PostgreSQL's parser would keep
/// <c>/api/orders/12</c> whole), in the <c>simple</c> configuration: no stemming, no stop words.
/// </summary>
public sealed partial class PostgresHistoryStore(string connectionString) : HistoryStore
{
    // Any fixed key: every dashboard process migrating this database takes the same one.
    private const long SchemaLockKey = 0x5353_4544_6173_6801;
    private const long TrimLockKey = 0x5353_4544_6173_6802;

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(Prepared(connectionString));

    // A fleet's writers and readers run the same few statements hundreds of times a second: parsing and planning each
    // anew was a quarter of PostgreSQL's CPU. Npgsql prepares those used often, on connections the pool does not reset
    // (a reset would unprepare them, and each connection would start counting again): the store's connections keep no
    // session state (its advisory locks are released as they are used; listening and the alert lock have their own).
    // A connection string that sets either key keeps it (Max Auto Prepare=0 for a pooler that cannot keep them).
    private static string Prepared(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = builder.Keys.Cast<string>().ToHashSet(StringComparer.OrdinalIgnoreCase); // ContainsKey is true of any key Npgsql knows
        if (!given.Contains("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!given.Contains("No Reset On Close"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    public override StoreProvider Provider => StoreProvider.Postgres;

    protected override IReadOnlyList<string> Migrations => Schema;

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Ids a write may take: its transaction's range (schema 7). A batch holds fewer (5,000 rows and one log event of at
    /// most 10,000 lines), and with ids from the fleet's first, they stay below 2^53 (exact in JavaScript) for
    /// 4 × 10^11 transactions.
    /// </summary>
    public const int IdsPerTransaction = 16_384;

    // One round trip: BEGIN, the batch's claim, its rows and the rest, COMMIT. No row every writer updates: the ids follow
    // from the transaction's own id, and lines are counted per host, so writers run side by side and their commits go to
    // disk together.
    public override async Task<long> WriteAsync(HistoryWrite write, CancellationToken cancellationToken)
    {
        if (write.IdCount >= IdsPerTransaction)
        {
            throw new ArgumentException($"A write takes at most {IdsPerTransaction - 1} ids; this one {write.IdCount}.", nameof(write));
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            // A batch stored before (by an attempt whose commit's reply was lost) fails here, and nothing after it runs.
            batch.BatchCommands.Add(Command(
                "INSERT INTO fleet_writes (host, run, batch, at, id_base) VALUES ($1, $2, $3, $4, event_id_base(pg_current_xact_id()))",
                write.Host, write.Run, write.Batch, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            batch.BatchCommands.Add(IdsAndRows(write));
            if (write.Rollups.Count > 0)
            {
                batch.BatchCommands.Add(Rollups(write.Rollups.Values));
            }

            if (write.Positions.Count > 0)
            {
                batch.BatchCommands.Add(Positions(write.Positions.Values));
            }

            batch.BatchCommands.Add(Command(
                """
                INSERT INTO hosts (host, role, last_seen, interval_ms) VALUES ($1, $2, $3, $4)
                ON CONFLICT (host) DO UPDATE SET role = excluded.role, last_seen = excluded.last_seen, interval_ms = excluded.interval_ms
                """,
                write.Host, write.Role, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), write.IntervalMs));
            if (write.Lines.Count(l => l.Text is not null) is > 0 and var lines)
            {
                batch.BatchCommands.Add(Command(
                    "INSERT INTO line_counts (host, lines) VALUES ($1, $2) ON CONFLICT (host) DO UPDATE SET lines = line_counts.lines + excluded.lines",
                    write.Host, (long)lines));
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand($"NOTIFY {Channel}"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var newest = reader.GetInt64(0);
            while (await reader.NextResultAsync(cancellationToken))
            {
            }

            return newest;
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "fleet_writes_pkey" })
        {
            await RollBackAsync(connection);
            return 0; // stored already
        }
        catch
        {
            await RollBackAsync(connection);
            throw;
        }
    }

    // Inserts the batch's rows, numbered from 1 in the batch, after its transaction's first id: one statement.
    private static NpgsqlBatchCommand IdsAndRows(HistoryWrite write)
    {
        var command = new NpgsqlBatchCommand(
            """
            WITH ids AS (SELECT event_id_base(pg_current_xact_id()) AS base),
            samples AS (
                INSERT INTO samples (id, topic, at, payload, host)
                SELECT ids.base + u.id, u.topic, u.at, u.payload, u.host
                FROM ids, unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[]) AS u (id, topic, at, payload, host)),
            lines AS (
                INSERT INTO log_lines (id, event_id, at, file, kind, level, text, flags, error, skipped, host, extra)
                SELECT ids.base + u.id, ids.base + u.event_id, u.at, u.file, u.kind, u.level, u.text, u.flags, u.error, u.skipped, u.host, u.extra
                FROM ids, unnest($7::bigint[], $8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[],
                    $14::bigint[], $15::text[], $16::bigint[], $17::text[], $18::text[])
                    AS u (id, event_id, at, file, kind, level, text, flags, error, skipped, host, extra))
            SELECT base + $1 FROM ids
            """);
        var (samples, lines) = (write.Samples, write.Lines);
        Add(command, write.IdCount);
        Add(command, samples.Select(s => s.Id).ToArray());
        Add(command, samples.Select(s => s.Topic).ToArray());
        Add(command, samples.Select(s => s.At).ToArray());
        Add(command, samples.Select(s => s.Payload).ToArray());
        Add(command, samples.Select(s => s.Host).ToArray());
        Add(command, lines.Select(l => l.Id).ToArray());
        Add(command, lines.Select(l => l.EventId).ToArray());
        Add(command, lines.Select(l => l.At).ToArray());
        Add(command, lines.Select(l => l.File).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(command, lines.Select(l => l.Kind).ToArray());
        Add(command, lines.Select(l => l.Level).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        // PostgreSQL text holds no NUL: a line's NUL is stored as U+FFFD.
        Add(command, lines.Select(l => l.Text?.Replace('\0', '\uFFFD')).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(command, lines.Select(l => l.Flags).ToArray());
        Add(command, lines.Select(l => l.Error).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(command, lines.Select(l => l.Skipped).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint);
        Add(command, lines.Select(l => l.Host).ToArray());
        Add(command, lines.Select(l => l.Extra).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        return command;
    }

    private static NpgsqlBatchCommand Rollups(IEnumerable<RollupRow> rollups)
    {
        var rows = rollups.ToArray();
        var command = new NpgsqlBatchCommand(
            """
            INSERT INTO rollups (topic, host, field, minute, n, sum, min, max)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::float8[], $7::float8[], $8::float8[])
            ON CONFLICT (topic, host, field, minute) DO UPDATE SET n = rollups.n + excluded.n, sum = rollups.sum + excluded.sum,
                min = LEAST(rollups.min, excluded.min), max = GREATEST(rollups.max, excluded.max)
            """);
        Add(command, rows.Select(r => r.Topic).ToArray());
        Add(command, rows.Select(r => r.Host).ToArray());
        Add(command, rows.Select(r => r.Field).ToArray());
        Add(command, rows.Select(r => r.Minute).ToArray());
        Add(command, rows.Select(r => r.N).ToArray());
        Add(command, rows.Select(r => r.Sum).ToArray());
        Add(command, rows.Select(r => r.Min).ToArray());
        Add(command, rows.Select(r => r.Max).ToArray());
        return command;
    }

    private static NpgsqlBatchCommand Positions(IEnumerable<FilePositionRow> positions)
    {
        var rows = positions.ToArray();
        var command = new NpgsqlBatchCommand(
            """
            INSERT INTO file_positions (host, device, inode, path, "offset")
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[])
            ON CONFLICT (host, device, inode) DO UPDATE SET path = excluded.path, "offset" = excluded."offset"
            """);
        Add(command, rows.Select(r => r.Host).ToArray());
        Add(command, rows.Select(r => r.Device).ToArray());
        Add(command, rows.Select(r => r.Inode).ToArray());
        Add(command, rows.Select(r => r.Path).ToArray());
        Add(command, rows.Select(r => r.Offset).ToArray());
        return command;
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            Add(command, value);
        }

        return command;
    }

    private static void Add(NpgsqlBatchCommand command, object value, NpgsqlDbType? type = null) =>
        command.Parameters.Add(type is { } t ? new NpgsqlParameter { Value = value, NpgsqlDbType = t } : new NpgsqlParameter { Value = value });

    // A transaction left open by a failed write (a connection that broke has none).
    private static async Task RollBackAsync(NpgsqlConnection connection)
    {
        if (connection.State == System.Data.ConnectionState.Open)
        {
            try
            {
                await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
                await rollback.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException)
            {
                // The connection is gone with its transaction.
            }
        }
    }

    // The generated column indexes the text as it is inserted, and goes with the row.
    protected override Task IndexAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LogRow> lines) => Task.CompletedTask;

    protected override Task UnindexAsync(DbConnection connection, DbTransaction transaction, long from, long to) => Task.CompletedTask;

    // Containment, which the GIN index on the fields answers: the value as a JSON string, or as the number or true or
    // false it reads as.
    protected override string FieldEquals(string name, string key, string value, DynamicParameters parameters)
    {
        parameters.Add($"{name}text", JsonSerializer.Serialize(new Dictionary<string, string> { [key] = value }));
        var condition = $"l.extra IS NOT NULL AND ((l.extra::jsonb -> 'fields') @> @{name}text::jsonb";
        if (JsonNumber().IsMatch(value) || value is "true" or "false")
        {
            parameters.Add($"{name}json", $"{{{JsonSerializer.Serialize(key)}:{value}}}");
            condition += $" OR (l.extra::jsonb -> 'fields') @> @{name}json::jsonb";
        }

        return condition + ")";
    }

    protected override (string From, string Where, object Text, string OrderBy) Search(string text) =>
        ("log_lines l", "l.search @@ to_tsquery('simple', @text)", SearchTerms.TsQuery(text), "l.id");

    protected override Task LockSchemaAsync(DbConnection connection) =>
        connection.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = SchemaLockKey });

    protected override Task UnlockSchemaAsync(DbConnection connection) =>
        connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = SchemaLockKey });

    protected override Task<bool> TryLockTrimAsync(DbConnection connection) =>
        connection.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_lock(@key)", new { key = TrimLockKey });

    protected override Task UnlockTrimAsync(DbConnection connection) =>
        connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = TrimLockKey });

    /// <summary>The channel every write notifies at commit: dashboard nodes listen on it, then read in id order.</summary>
    public const string Channel = "dashboard_events";

    public override bool AssignsIds => true;

    public string ConnectionString => connectionString;

    /// <summary>A connection from the store's pool, for the key ring, whose interface is synchronous.</summary>
    public NpgsqlConnection OpenConnection() => _dataSource.OpenConnection();

    /// <summary>How long a stored batch is remembered: a retry of it comes within the writer's backoff, far sooner.</summary>
    public static readonly TimeSpan BatchesRemembered = TimeSpan.FromHours(6);

    protected override Task<int> TrimBookkeepingAsync(DbConnection connection) =>
        connection.ExecuteAsync(
            "DELETE FROM fleet_writes WHERE at < @before",
            new { before = (DateTimeOffset.UtcNow - BatchesRemembered).ToUnixTimeMilliseconds() });

    /// <summary>
    /// Below the oldest transaction still running: every id up to here is committed (or never will be), so a reader that
    /// has read up to it has read everything there will ever be up to it.
    /// </summary>
    private const string Final = "event_id_base(pg_snapshot_xmin(pg_current_snapshot()))";

    /// <summary>The newest id that is final (<see cref="Final"/>).</summary>
    public override async Task<long> NewestIdAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>($"SELECT {Final}");
    }

    protected override string FinalIds => $"id <= {Final}";

    protected override Task<long> LineCountAsync(DbConnection connection) =>
        connection.ExecuteScalarAsync<long>("SELECT COALESCE(SUM(lines), 0) FROM line_counts");

    protected override Task<int> DeleteLinesAsync(DbConnection connection, DbTransaction transaction, long low, long high, long lines) =>
        connection.ExecuteScalarAsync<int>(
            """
            WITH gone AS (DELETE FROM log_lines WHERE id BETWEEN @low AND @high RETURNING host, text),
            counted AS (SELECT host, COUNT(text) AS n FROM gone GROUP BY host),
            uncounted AS (UPDATE line_counts SET lines = line_counts.lines - counted.n FROM counted WHERE line_counts.host = counted.host)
            SELECT COUNT(*) FROM gone
            """,
            new { low, high },
            transaction);

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    [System.Text.RegularExpressions.GeneratedRegex(@"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$")]
    private static partial System.Text.RegularExpressions.Regex JsonNumber();
}
