using Npgsql;
using NpgsqlTypes;

namespace SseDashboard.History;

/// <summary>A fleet's writes: one transaction and one round trip each, its ids from its transaction.</summary>
public sealed partial class PostgresHistoryStore
{
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
            // Its time is the server's, one clock for every writer.
            batch.BatchCommands.Add(Command(
                """
                INSERT INTO fleet_writes (host, run, batch, at, id_base)
                VALUES ($1, $2, $3, (extract(epoch FROM statement_timestamp()) * 1000)::bigint, event_id_base(pg_current_xact_id()))
                """,
                write.Host, write.Run, write.Batch));
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
}
