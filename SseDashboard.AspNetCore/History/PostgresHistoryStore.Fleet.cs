using Dapper;
using Npgsql;

namespace SseDashboard.History;

/// <summary>A fleet node's reads: every host's events after an id, in one snapshot, and where a node starting late begins.</summary>
public sealed partial class PostgresHistoryStore
{
    /// <summary>
    /// Every host's events after <paramref name="afterId"/>, oldest first, at most <paramref name="maxIds"/> ids on:
    /// samples, and log rows of whole events (an event the limit cuts is left for the next read). With the newest id
    /// taken (every lower one is committed and readable), and the id read up to.
    /// </summary>
    // One round trip, one snapshot (the counter and the rows it covers), one commit: a dashboard node reads once for
    // each write it is woken by.
    public async Task<FleetRead> ReadAfterAsync(long afterId, long maxIds, CancellationToken cancellationToken)
    {
        const string UpTo = "LEAST((SELECT value FROM store_state WHERE name = 'last_id'), $1 + $2)";
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT (SELECT value FROM store_state WHERE name = 'last_id'), (SELECT value FROM store_state WHERE name = 'log_trimmed_up_to')"));
        batch.BatchCommands.Add(Command($"SELECT {LogColumns} FROM log_lines WHERE id > $1 AND id <= {UpTo} ORDER BY id", afterId, maxIds));
        batch.BatchCommands.Add(Command($"SELECT id, topic, at, payload, host FROM samples WHERE id > $1 AND id <= {UpTo} ORDER BY id", afterId, maxIds));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        long newest, trimmedUpTo;
        List<LogRow> lines;
        List<SampleRow> samples;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (newest, trimmedUpTo) = (reader.GetInt64(0), reader.GetInt64(1));
            await reader.NextResultAsync(cancellationToken);
            lines = await ParseAsync<LogRow>(reader, cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            samples = await ParseAsync<SampleRow>(reader, cancellationToken);
        }

        var upTo = Math.Min(newest, afterId + maxIds);
        if (lines.Count > 0 && lines[^1].EventId > upTo)
        {
            // The newest event goes on past the limit: read up to just before it, or all of it when it is the first.
            var cut = lines.FindIndex(l => l.EventId == lines[^1].EventId);
            if (cut == 0 && lines[0].Id - 1 == afterId)
            {
                return await ReadAfterAsync(afterId, lines[^1].EventId - afterId, cancellationToken);
            }

            upTo = lines[cut].Id - 1;
            lines.RemoveRange(cut, lines.Count - cut);
            samples.RemoveAll(s => s.Id > upTo);
        }

        return new FleetRead(samples, lines, Math.Max(upTo, afterId), newest, Math.Min(trimmedUpTo, upTo));
    }

    private static async Task<List<T>> ParseAsync<T>(System.Data.Common.DbDataReader reader, CancellationToken cancellationToken)
    {
        var parse = reader.GetRowParser<T>();
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(parse(reader));
        }

        return rows;
    }

    /// <summary>The id just before the first event that happened at or after <paramref name="since"/>; the newest when none did.</summary>
    public async Task<long> IdBeforeAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // One statement, so one snapshot: the newest id is read with the same commits as the search (an event of that
        // time committing between two statements would be taken as before it, and never shown).
        return await connection.ExecuteScalarAsync<long>(
            """
            SELECT COALESCE(
                LEAST((SELECT MIN(id) FROM log_lines WHERE at >= @since), (SELECT MIN(id) FROM samples WHERE at >= @since)) - 1,
                (SELECT value FROM store_state WHERE name = 'last_id'))
            """,
            new { since = since.ToUnixTimeMilliseconds() });
    }
}

/// <summary>Every host's events after an id, read up to <see cref="UpTo"/>; <see cref="Newest"/> the newest id then.</summary>
/// <param name="TrimmedUpTo">Retention had removed log lines up to here (within the read) before they could be read.</param>
public sealed record FleetRead(IReadOnlyList<SampleRow> Samples, IReadOnlyList<LogRow> Lines, long UpTo, long Newest, long TrimmedUpTo);
