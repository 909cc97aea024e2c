using Dapper;
using Npgsql;

namespace SseDashboard.History;

/// <summary>A fleet node's reads: every host's events after an id, in one snapshot, and where a node starting late begins.</summary>
public sealed partial class PostgresHistoryStore
{
    /// <summary>
    /// Every host's events after <paramref name="afterId"/> that are final (<see cref="Final"/>), oldest first: at most
    /// <paramref name="limit"/> samples and lines each, log rows in whole events (one the limit cuts is left for the next
    /// read). With the id read up to, the newest final id, and whether rows have committed beyond it (a transaction
    /// still running holds them back; it may be one that notifies nobody as it ends, so the reader comes back).
    /// </summary>
    // One round trip, one snapshot (the bound and the rows below it), one commit: a dashboard node reads once for each
    // wake-up.
    public async Task<FleetRead> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"""
            SELECT {Final}, (SELECT value FROM store_state WHERE name = 'log_trimmed_up_to'),
                COALESCE(GREATEST((SELECT MAX(id) FROM log_lines), (SELECT MAX(id) FROM samples)), 0)
            """));
        batch.BatchCommands.Add(Command($"SELECT {LogColumns} FROM log_lines WHERE id > $1 AND id <= {Final} ORDER BY id LIMIT $2", afterId, limit));
        batch.BatchCommands.Add(Command($"SELECT id, topic, at, payload, host FROM samples WHERE id > $1 AND id <= {Final} ORDER BY id LIMIT $2", afterId, limit));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        long newest, trimmedUpTo, committed;
        List<LogRow> lines;
        List<SampleRow> samples;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (newest, trimmedUpTo, committed) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            await reader.NextResultAsync(cancellationToken);
            lines = await ParseAsync<LogRow>(reader, cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            samples = await ParseAsync<SampleRow>(reader, cancellationToken);
        }

        // A table read to its limit is read up to its last row; the other is cut there too.
        var upTo = Math.Min(
            Math.Min(newest, lines.Count == limit ? lines[^1].Id : long.MaxValue),
            samples.Count == limit ? samples[^1].Id : long.MaxValue);
        lines.RemoveAll(l => l.Id > upTo);
        samples.RemoveAll(s => s.Id > upTo);
        if (lines.Count > 0 && lines[^1].EventId > upTo)
        {
            // The newest event goes on past the limit: read up to just before it, or more when it is the first.
            var cut = lines.FindIndex(l => l.EventId == lines[^1].EventId);
            if (cut == 0)
            {
                return await ReadAfterAsync(afterId, limit * 2, cancellationToken);
            }

            upTo = lines[cut].Id - 1;
            lines.RemoveRange(cut, lines.Count - cut);
            samples.RemoveAll(s => s.Id > upTo);
        }

        upTo = Math.Max(upTo, afterId);
        return new FleetRead(samples, lines, upTo, newest, Math.Min(trimmedUpTo, upTo), HeldBack: committed > newest);
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

    /// <summary>
    /// The id just before the first event stored at or after <paramref name="since"/> (by its write's time: an agent's
    /// lines that waited out an outage are stored late and count as late); the newest final id when none was.
    /// </summary>
    public async Task<long> IdBeforeAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // One statement, so one snapshot. A write still running has its ids above the final bound: it is read after.
        return await connection.ExecuteScalarAsync<long>(
            $"SELECT LEAST((SELECT MIN(id_base) FROM fleet_writes WHERE at >= @since), {Final})",
            new { since = since.ToUnixTimeMilliseconds() });
    }
}

/// <summary>Every host's events after an id, read up to <see cref="UpTo"/>; <see cref="Newest"/> the newest final id then.</summary>
/// <param name="TrimmedUpTo">Retention had removed log lines up to here (within the read) before they could be read.</param>
/// <param name="HeldBack">Rows had committed above <see cref="Newest"/>, behind a transaction still running.</param>
public sealed record FleetRead(IReadOnlyList<SampleRow> Samples, IReadOnlyList<LogRow> Lines, long UpTo, long Newest, long TrimmedUpTo, bool HeldBack);
