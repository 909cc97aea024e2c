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
            "INSERT INTO samples (id, topic, at, payload) SELECT * FROM unnest(@id, @topic, @at, @payload)",
            (NpgsqlConnection)connection,
            (NpgsqlTransaction)transaction);
        AddArray(command, "id", NpgsqlDbType.Bigint, samples.Select(s => s.Id));
        AddArray(command, "topic", NpgsqlDbType.Text, samples.Select(s => s.Topic));
        AddArray(command, "at", NpgsqlDbType.Bigint, samples.Select(s => s.At));
        AddArray(command, "payload", NpgsqlDbType.Text, samples.Select(s => s.Payload));
        return ExecuteAsync(command);
    }

    // One statement for the whole batch: a round trip per line would cost more than the line.
    protected override Task InsertLinesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LogRow> lines)
    {
        var command = new NpgsqlCommand(
            """
            INSERT INTO log_lines (id, event_id, at, file, kind, level, text, flags, error, skipped)
            SELECT * FROM unnest(@id, @event_id, @at, @file, @kind, @level, @text, @flags, @error, @skipped)
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

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task ExecuteAsync(NpgsqlCommand command)
    {
        await using (command)
        {
            await command.ExecuteNonQueryAsync();
        }
    }
}
