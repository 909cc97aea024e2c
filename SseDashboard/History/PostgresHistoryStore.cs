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
public sealed class PostgresHistoryStore(string connectionString) : HistoryStore
{
    // Any fixed key: every dashboard process migrating this database takes the same one.
    private const long SchemaLockKey = 0x5353_4544_6173_6801;

    private static readonly string[] Schema =
    [
        """
        CREATE TABLE samples (id BIGINT PRIMARY KEY, topic TEXT NOT NULL, at BIGINT NOT NULL, payload TEXT NOT NULL);
        CREATE INDEX samples_topic_at ON samples (topic, at);
        CREATE INDEX samples_at ON samples (at);
        CREATE TABLE rollups (
            topic TEXT NOT NULL, field TEXT NOT NULL, minute BIGINT NOT NULL,
            n BIGINT NOT NULL, sum DOUBLE PRECISION NOT NULL, min DOUBLE PRECISION NOT NULL, max DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (topic, field, minute));
        CREATE TABLE log_lines (
            id BIGINT PRIMARY KEY, event_id BIGINT NOT NULL, at BIGINT NOT NULL, file TEXT, kind TEXT NOT NULL,
            level TEXT, text TEXT, flags BIGINT NOT NULL DEFAULT 0, error TEXT, skipped BIGINT,
            search TSVECTOR GENERATED ALWAYS AS (
                to_tsvector('simple', regexp_replace(COALESCE(text, ''), '[^[:alnum:]]+', ' ', 'g'))) STORED);
        CREATE INDEX log_lines_at ON log_lines (at);
        CREATE INDEX log_lines_search ON log_lines USING GIN (search);
        CREATE TABLE file_positions (
            device BIGINT NOT NULL, inode BIGINT NOT NULL, path TEXT NOT NULL, "offset" BIGINT NOT NULL,
            PRIMARY KEY (device, inode));
        CREATE TABLE store_state (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
        INSERT INTO store_state (name, value) VALUES ('log_lines', 0), ('log_trimmed_up_to', 0);
        """,
        // 2: a fleet. Rows say which host; rollups and file positions are per host; ids come from one counter taken
        // under a lock held to commit (see WriteAsync), going on from the ids already stored; fleet_writes remembers
        // each writer's batches, so one retried after a lost commit reply is not stored twice; hosts, each host's role
        // and when it last wrote.
        """
        ALTER TABLE samples ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE log_lines ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE rollups ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE rollups DROP CONSTRAINT rollups_pkey;
        ALTER TABLE rollups ADD PRIMARY KEY (topic, host, field, minute);
        ALTER TABLE file_positions ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE file_positions DROP CONSTRAINT file_positions_pkey;
        ALTER TABLE file_positions ADD PRIMARY KEY (host, device, inode);
        INSERT INTO store_state (name, value) SELECT 'last_id', GREATEST(
            (SELECT COALESCE(MAX(id), 0) FROM samples), (SELECT COALESCE(MAX(id), 0) FROM log_lines),
            CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT));
        CREATE TABLE fleet_writes (
            host TEXT NOT NULL, run TEXT NOT NULL, batch BIGINT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (host, run, batch));
        CREATE INDEX fleet_writes_at ON fleet_writes (at);
        CREATE INDEX samples_topic_host_at ON samples (topic, host, at);
        CREATE TABLE hosts (host TEXT PRIMARY KEY, role TEXT NOT NULL, last_seen BIGINT NOT NULL, interval_ms BIGINT NOT NULL);
        """,
    ];

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override StoreProvider Provider => StoreProvider.Postgres;

    protected override IReadOnlyList<string> Migrations => Schema;

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override string LeastGreatest(string function) => function == "MIN" ? "LEAST" : "GREATEST";

    protected override Task InsertSamplesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<SampleRow> samples)
    {
        var command = new NpgsqlCommand(
            "INSERT INTO samples (id, topic, at, payload, host) SELECT * FROM unnest(@id, @topic, @at, @payload, @host)",
            (NpgsqlConnection)connection,
            (NpgsqlTransaction)transaction);
        AddArray(command, "id", NpgsqlDbType.Bigint, samples.Select(s => s.Id));
        AddArray(command, "topic", NpgsqlDbType.Text, samples.Select(s => s.Topic));
        AddArray(command, "at", NpgsqlDbType.Bigint, samples.Select(s => s.At));
        AddArray(command, "payload", NpgsqlDbType.Text, samples.Select(s => s.Payload));
        AddArray(command, "host", NpgsqlDbType.Text, samples.Select(s => s.Host));
        return ExecuteAsync(command);
    }

    // One statement for the whole batch: a round trip per line would cost more than the line.
    protected override Task InsertLinesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LogRow> lines)
    {
        var command = new NpgsqlCommand(
            """
            INSERT INTO log_lines (id, event_id, at, file, kind, level, text, flags, error, skipped, host)
            SELECT * FROM unnest(@id, @event_id, @at, @file, @kind, @level, @text, @flags, @error, @skipped, @host)
            """,
            (NpgsqlConnection)connection,
            (NpgsqlTransaction)transaction);
        AddArray(command, "id", NpgsqlDbType.Bigint, lines.Select(l => l.Id));
        AddArray(command, "event_id", NpgsqlDbType.Bigint, lines.Select(l => l.EventId));
        AddArray(command, "at", NpgsqlDbType.Bigint, lines.Select(l => l.At));
        AddArray(command, "file", NpgsqlDbType.Text, lines.Select(l => l.File));
        AddArray(command, "kind", NpgsqlDbType.Text, lines.Select(l => l.Kind));
        AddArray(command, "level", NpgsqlDbType.Text, lines.Select(l => l.Level));
        AddArray(command, "text", NpgsqlDbType.Text, lines.Select(l => l.Text));
        AddArray(command, "flags", NpgsqlDbType.Bigint, lines.Select(l => l.Flags));
        AddArray(command, "error", NpgsqlDbType.Text, lines.Select(l => l.Error));
        AddArray(command, "skipped", NpgsqlDbType.Bigint, lines.Select(l => l.Skipped));
        AddArray(command, "host", NpgsqlDbType.Text, lines.Select(l => l.Host));
        return ExecuteAsync(command);
    }

    private static void AddArray<T>(NpgsqlCommand command, string name, NpgsqlDbType type, IEnumerable<T> values) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values.ToArray() });

    // The generated column indexes the text as it is inserted, and goes with the row.
    protected override Task IndexAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LogRow> lines) => Task.CompletedTask;

    protected override Task UnindexAsync(DbConnection connection, DbTransaction transaction, long from, long to) => Task.CompletedTask;

    protected override (string From, string Where, object Text, string OrderBy) Search(string text) =>
        ("log_lines l", "l.search @@ to_tsquery('simple', @text)", SearchTerms.TsQuery(text), "l.id");

    protected override Task LockSchemaAsync(DbConnection connection) =>
        connection.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = SchemaLockKey });

    protected override Task UnlockSchemaAsync(DbConnection connection) =>
        connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = SchemaLockKey });

    /// <summary>The channel every write notifies at commit: dashboard nodes listen on it, then read in id order.</summary>
    public const string Channel = "dashboard_events";

    public override bool AssignsIds => true;

    public string ConnectionString => connectionString;

    protected override async Task<bool> ClaimAsync(DbConnection connection, DbTransaction transaction, HistoryWrite write) =>
        await connection.ExecuteAsync(
            "INSERT INTO fleet_writes (host, run, batch, at) VALUES (@Host, @Run, @Batch, @at) ON CONFLICT DO NOTHING",
            new { write.Host, write.Run, write.Batch, at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
            transaction) == 1;

    // The counter's row stays locked until this transaction commits, so the next writer takes its ids only after these
    // are visible: ids are handed out in commit order, and a reader that has seen an id has seen every lower one.
    protected override Task<long> TakeIdsAsync(DbConnection connection, DbTransaction transaction, long count) =>
        connection.ExecuteScalarAsync<long>(
            "UPDATE store_state SET value = value + @count WHERE name = 'last_id' RETURNING value", new { count }, transaction);

    /// <summary>How long a stored batch is remembered: a retry of it comes within the writer's backoff, far sooner.</summary>
    public static readonly TimeSpan BatchesRemembered = TimeSpan.FromHours(6);

    protected override Task<int> TrimBookkeepingAsync(DbConnection connection) =>
        connection.ExecuteAsync(
            "DELETE FROM fleet_writes WHERE at < @before",
            new { before = (DateTimeOffset.UtcNow - BatchesRemembered).ToUnixTimeMilliseconds() });

    protected override Task NotifyAsync(DbConnection connection, DbTransaction transaction) =>
        connection.ExecuteAsync($"NOTIFY {Channel}", transaction: transaction);

    /// <summary>
    /// Every host's events after <paramref name="afterId"/>, oldest first, at most <paramref name="maxIds"/> ids on:
    /// samples, and log rows of whole events (an event the limit cuts is left for the next read). With the newest id
    /// taken (every lower one is committed and readable), and the id read up to.
    /// </summary>
    public async Task<FleetRead> ReadAfterAsync(long afterId, long maxIds, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var newest = await connection.ExecuteScalarAsync<long>("SELECT value FROM store_state WHERE name = 'last_id'");
        var upTo = Math.Min(newest, afterId + maxIds);
        if (upTo <= afterId)
        {
            return new FleetRead([], [], afterId, newest);
        }

        var lines = (await connection.QueryAsync<LogRow>(
            $"SELECT {LogColumns} FROM log_lines WHERE id > @afterId AND id <= @upTo ORDER BY id", new { afterId, upTo })).AsList();
        if (lines.Count > 0 && lines[^1].EventId > upTo)
        {
            // The newest event goes on past the limit: read up to just before it, or all of it when it is the first.
            var cut = lines.FindIndex(l => l.EventId == lines[^1].EventId);
            if (cut > 0 || lines[0].Id - 1 > afterId)
            {
                upTo = lines[cut].Id - 1;
                lines.RemoveRange(cut, lines.Count - cut);
            }
            else
            {
                upTo = lines[^1].EventId;
                lines = (await connection.QueryAsync<LogRow>(
                    $"SELECT {LogColumns} FROM log_lines WHERE id > @afterId AND id <= @upTo ORDER BY id", new { afterId, upTo })).AsList();
            }
        }

        var samples = (await connection.QueryAsync<SampleRow>(
            "SELECT id, topic, at, payload, host FROM samples WHERE id > @afterId AND id <= @upTo ORDER BY id", new { afterId, upTo })).AsList();
        return new FleetRead(samples, lines, upTo, newest);
    }

    /// <summary>The id just before the first event that happened at or after <paramref name="since"/>; the newest when none did.</summary>
    public async Task<long> IdBeforeAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var first = await connection.ExecuteScalarAsync<long?>(
            """
            SELECT LEAST((SELECT MIN(id) FROM log_lines WHERE at >= @since), (SELECT MIN(id) FROM samples WHERE at >= @since))
            """,
            new { since = since.ToUnixTimeMilliseconds() });
        return first is { } id ? id - 1 : await NewestIdAsync(cancellationToken);
    }

    /// <summary>The newest id handed out (every id up to it is committed).</summary>
    public override async Task<long> NewestIdAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("SELECT value FROM store_state WHERE name = 'last_id'");
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task ExecuteAsync(NpgsqlCommand command)
    {
        await using (command)
        {
            await command.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>Every host's events after an id, read up to <see cref="UpTo"/>; <see cref="Newest"/> the newest id then.</summary>
public sealed record FleetRead(IReadOnlyList<SampleRow> Samples, IReadOnlyList<LogRow> Lines, long UpTo, long Newest);
