using System.Data.Common;
using Dapper;

namespace SseDashboard.History;

/// <summary>
/// The history store's SQL, the same on SQLite and PostgreSQL where the dialects agree (Dapper, one connection per
/// operation from the provider's pool). A provider supplies its schema, its full-text search and what differs.
/// </summary>
public abstract partial class HistoryStore : IAsyncDisposable
{
    protected const string LogColumns = "id, event_id AS EventId, at, file, kind, level, text, flags, error, skipped, host, extra";

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

    /// <summary>The condition that an entry (<c>l</c>) has field <paramref name="key"/> equal to <paramref name="value"/>, its parameters named with <paramref name="name"/>.</summary>
    protected abstract string FieldEquals(string name, string key, string value, DynamicParameters parameters);

    /// <summary>Inserts log rows; row by row here (SQLite runs in-process), in one statement where a round trip costs.</summary>
    protected virtual Task InsertLinesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LogRow> lines) =>
        connection.ExecuteAsync("""
            INSERT INTO log_lines (id, event_id, at, file, kind, level, text, flags, error, skipped, host, extra)
            VALUES (@Id, @EventId, @At, @File, @Kind, @Level, @Text, @Flags, @Error, @Skipped, @Host, @Extra)
            """, lines, transaction);

    protected virtual Task InsertSamplesAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<SampleRow> samples) =>
        connection.ExecuteAsync("INSERT INTO samples (id, topic, at, payload, host) VALUES (@Id, @Topic, @At, @Payload, @Host)", samples, transaction);

    /// <summary>
    /// Whether the store hands out ids (PostgreSQL: from each write's transaction, see
    /// <see cref="PostgresHistoryStore.IdsPerTransaction"/>); else the caller's ids are stored as given (SQLite: the one
    /// process's hub numbers its events).
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

    private volatile bool _migrated;

    /// <summary>A connection for what else keeps its state in the store (alerts), once the schema is current.</summary>
    public async ValueTask<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await EnsureMigratedAsync(cancellationToken);
        return await OpenAsync(cancellationToken);
    }

    /// <summary>Migrates once per process: whoever uses the store first (the writer, the access list, the key ring).</summary>
    public async Task EnsureMigratedAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken);
            _migrated = true;
        }
    }

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

        await AfterMigrationsAsync(connection);
    }

    /// <summary>What a provider checks of its store each time a process starts on it, with the schema locked.</summary>
    protected virtual Task AfterMigrationsAsync(DbConnection connection) => Task.CompletedTask;

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

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
