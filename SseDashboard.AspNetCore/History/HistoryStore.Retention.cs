using System.Data.Common;
using Dapper;

namespace SseDashboard.History;

/// <summary>Retention: what is past its time or over the line count goes, in short transactions.</summary>
public abstract partial class HistoryStore
{
    /// <summary>
    /// Ids no transaction can add to any more (where ids are handed out before commit, the oldest may still be running):
    /// retention removes a range of them only, so nothing it has not counted falls inside.
    /// </summary>
    protected virtual string FinalIds => "1 = 1";

    /// <summary>The log lines stored (text lines, not markers), as counted for <c>MaxLines</c>.</summary>
    protected virtual Task<long> LineCountAsync(DbConnection connection) =>
        connection.ExecuteScalarAsync<long>("SELECT value FROM store_state WHERE name = 'log_lines'");

    /// <summary>Deletes log rows <paramref name="low"/>..<paramref name="high"/>, of which <paramref name="lines"/> are lines, from the count too; how many rows went.</summary>
    protected virtual async Task<int> DeleteLinesAsync(DbConnection connection, DbTransaction transaction, long low, long high, long lines)
    {
        var removed = await connection.ExecuteAsync("DELETE FROM log_lines WHERE id BETWEEN @low AND @high", new { low, high }, transaction);
        await connection.ExecuteAsync("UPDATE store_state SET value = value - @lines WHERE name = 'log_lines'", new { lines }, transaction);
        return removed;
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
        removed += await DeleteInChunksAsync(connection, "samples", $"at < @before AND {FinalIds}", new { before = retention.SamplesBefore }, cancellationToken);
        removed += await connection.ExecuteAsync("DELETE FROM rollups WHERE minute < @minute", new { minute = retention.RollupsBefore / 60_000 });
        removed += await TrimBookkeepingAsync(connection);
        // Alerts' history and ended silences, as long as metrics are kept.
        removed += await connection.ExecuteAsync("DELETE FROM alert_changes WHERE at < @before", new { before = retention.SamplesBefore });
        removed += await connection.ExecuteAsync("DELETE FROM alert_silences WHERE ends_at < @before", new { before = retention.SamplesBefore });

        while (!cancellationToken.IsCancellationRequested)
        {
            // The oldest lines past their time, or past the count: the oldest final ids, removed as one range.
            var count = await LineCountAsync(connection);
            var excess = Math.Max(0, count - retention.MaxLines);
            var ids = (await connection.QueryAsync<(long Id, long At, long Line)>(
                $"SELECT id, at, CAST(CASE WHEN text IS NULL THEN 0 ELSE 1 END AS BIGINT) FROM log_lines WHERE {FinalIds} ORDER BY id LIMIT @limit",
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
            removed += await DeleteLinesAsync(connection, transaction, low, high, lines);
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
}
