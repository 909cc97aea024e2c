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

    private readonly NpgsqlDataSource _dataSource = new NpgsqlDataSourceBuilder(Prepared(connectionString))
        .UsePhysicalConnectionInitializer(
            connection =>
            {
                using var set = new NpgsqlCommand(KeepAlive, connection);
                set.ExecuteNonQuery();
            },
            async connection =>
            {
                await using var set = new NpgsqlCommand(KeepAlive, connection);
                await set.ExecuteNonQueryAsync();
            })
        .Build();

    // Ids are final only below the oldest transaction still running: a writer whose host dies in the middle of one
    // would hold every node's reading back until the server noticed, by default after two hours of TCP. With these
    // it notices in about 25 s, and ends the transaction.
    private const string KeepAlive = "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3";

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

    // A database restored elsewhere (a dump, a logical copy) numbers its transactions anew, and ids taken from them
    // would fall below those stored: they go on above the stored ones again.
    protected override async Task AfterMigrationsAsync(DbConnection connection)
    {
        const string Newest = "COALESCE(GREATEST((SELECT MAX(id) FROM samples), (SELECT MAX(id) FROM log_lines)), 0)";
        if (await connection.ExecuteScalarAsync<bool>($"SELECT event_id_base(pg_current_xact_id()) <= {Newest}"))
        {
            await connection.ExecuteAsync(IdsFrom(Newest));
        }
    }

    protected override Task<long> LineCountAsync(DbConnection connection) =>
        connection.ExecuteScalarAsync<long>("SELECT COALESCE(SUM(lines), 0) FROM line_counts");

    protected override Task<int> DeleteLinesAsync(DbConnection connection, DbTransaction transaction, long low, long high, long lines) =>
        connection.ExecuteScalarAsync<int>(
            """
            WITH gone AS (DELETE FROM log_lines WHERE id BETWEEN @low AND @high RETURNING host, text IS NOT NULL AS line),
            counted AS (SELECT host, COUNT(*) FILTER (WHERE line) AS n FROM gone GROUP BY host),
            uncounted AS (UPDATE line_counts SET lines = line_counts.lines - counted.n FROM counted WHERE line_counts.host = counted.host)
            SELECT COUNT(*) FROM gone
            """,
            new { low, high },
            transaction);

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    [System.Text.RegularExpressions.GeneratedRegex(@"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$")]
    private static partial System.Text.RegularExpressions.Regex JsonNumber();
}
