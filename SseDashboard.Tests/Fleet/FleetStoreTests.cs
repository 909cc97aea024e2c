using Dapper;
using Npgsql;
using SseDashboard.History;
using SseDashboard.LogTail;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Fleet;

/// <summary>The fleet store's ids, reads and retention, with writers side by side on one real PostgreSQL.</summary>
public sealed class FleetStoreTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWriteStillRunning_HoldsNoOtherWriteUp_AndAReaderReadsNothingPastIt_UntilItCommits()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var store = new PostgresHistoryStore(connectionString);
        await store.MigrateAsync(Ct);
        var start = await store.NewestIdAsync(Ct);

        // A first writer has taken its transaction, and so its ids, and has not committed.
        await using var first = new NpgsqlConnection(connectionString);
        await first.OpenAsync(Ct);
        await using var transaction = await first.BeginTransactionAsync(Ct);
        var firstId = await first.ExecuteScalarAsync<long>(
            """
            INSERT INTO log_lines (id, event_id, at, kind, text, host)
            VALUES (event_id_base(pg_current_xact_id()) + 1, event_id_base(pg_current_xact_id()) + 1, 0, 'lines', 'first', 'web-1')
            RETURNING id
            """,
            transaction: transaction);

        // A second writer stores its batch meanwhile, above the first's ids, without waiting for it.
        var second = await store.WriteAsync(LinesOf("web-2", "r", 1, DateTimeOffset.UtcNow, 1), Ct);
        Assert.True(second > firstId, $"{second} after {firstId}");

        // A reader gets neither yet: the second's would come before the first's, and resume would skip it.
        var held = await store.ReadAfterAsync(start, FleetReaderRows, Ct);
        Assert.Empty(held.Lines);
        Assert.True(held.HeldBack, "rows wait behind the running transaction");
        Assert.True(held.Newest < firstId);

        await transaction.CommitAsync(Ct);
        var read = await store.ReadAfterAsync(held.UpTo, FleetReaderRows, Ct);
        Assert.Equal([("first", firstId), ("line 0", second)], read.Lines.Select(l => (l.Text, l.Id)));
        Assert.False(read.HeldBack);

        // The same batch again (its commit reply lost, say) is not stored twice.
        Assert.Equal(0, await store.WriteAsync(LinesOf("web-2", "r", 1, DateTimeOffset.UtcNow, 1), Ct));
        Assert.Equal(2, (await store.QueryLogsAsync(new LogQuery(null, null, null, null, null, null, 10), Ct)).Count);
    }

    [Fact]
    public async Task ReadsInPages_KeepEveryLogEventWhole_AndReadEveryRowOnce()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var store = new PostgresHistoryStore(connectionString);
        await store.MigrateAsync(Ct);
        var from = await store.NewestIdAsync(Ct);
        for (var batch = 1; batch <= 6; batch++)
        {
            await store.WriteAsync(LinesOf("web-1", "r", batch, DateTimeOffset.UtcNow, 7), Ct);
        }

        // Pages of 10 rows: each ends at a whole event of 7 lines, and together they are every line once, in order.
        var ids = new List<long>();
        for (var position = from; ;)
        {
            var page = await store.ReadAfterAsync(position, 10, Ct);
            Assert.All(page.Lines.GroupBy(l => l.EventId), e => Assert.Equal(7, e.Count()));
            ids.AddRange(page.Lines.Select(l => l.Id));
            if (page.UpTo >= page.Newest)
            {
                break;
            }

            Assert.True(page.UpTo > position);
            position = page.UpTo;
        }

        Assert.Equal(42, ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task AWritersStatements_ArePreparedOnceAndKept_AcrossItsConnectionsUses()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var store = new PostgresHistoryStore(connectionString);
        await store.MigrateAsync(Ct);
        for (var batch = 1; batch <= 8; batch++)
        {
            await store.WriteAsync(LinesOf("web-1", "r", batch, DateTimeOffset.UtcNow, 3), Ct);
        }

        // One writer at a time: the pool's one connection, prepared after a few uses, and not reset between them.
        await using var connection = store.OpenConnection();
        var prepared = await connection.QueryAsync<string>("SELECT statement FROM pg_prepared_statements");
        Assert.Contains(prepared, s => s.Contains("event_id_base(pg_current_xact_id()) AS base", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADatabaseRestoredElsewhere_GoesOnAboveItsIds_AndAWriterOfAnOlderBuildIsRefused()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using (var store = new PostgresHistoryStore(connectionString))
        {
            await store.MigrateAsync(Ct);
            await store.WriteAsync(LinesOf("web-1", "r", 1, DateTimeOffset.UtcNow, 3), Ct);
        }

        // As after a dump restored into another server: its transaction ids start anew, far below those ids came from.
        await using var connection = new NpgsqlConnection(connectionString);
        var stored = await connection.ExecuteScalarAsync<long>("SELECT MAX(id) FROM log_lines");
        await connection.ExecuteAsync(
            "DO $$ BEGIN EXECUTE format('CREATE OR REPLACE FUNCTION event_id_base(xid XID8) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS %L', "
            + "format('SELECT 1000 + (xid::text::bigint - %s) * 16384', pg_current_xact_id()::text::bigint)); END $$");

        await using (var restarted = new PostgresHistoryStore(connectionString))
        {
            await restarted.MigrateAsync(Ct);
            var newest = await restarted.WriteAsync(LinesOf("web-1", "r", 2, DateTimeOffset.UtcNow, 3), Ct);
            Assert.True(newest - 2 > stored, $"{newest} goes on above {stored}");
            var read = await restarted.ReadAfterAsync(stored, FleetReaderRows, Ct);
            Assert.Equal(3, read.Lines.Count);
        }

        // A writer of the build before, taking ids from the counter, fails loudly instead of storing nothing.
        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            connection.ExecuteAsync("UPDATE store_state SET value = value + 3 WHERE name = 'last_id'"));
        Assert.Contains("upgrade this SseDashboard", refused.MessageText);
    }

    [Fact]
    public async Task TwoNodesApplyingRetentionAtOnce_KeepTheLineCountRight()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var nodeA = new PostgresHistoryStore(connectionString);
        await using var nodeB = new PostgresHistoryStore(connectionString);
        await nodeA.MigrateAsync(Ct);
        var retention = new Retention(0, 0, 0, MaxLines: 100);
        for (var round = 0; round < 5; round++)
        {
            for (var batch = 0; batch < 10; batch++)
            {
                var host = batch % 2 == 0 ? "web-1" : "web-2";
                await nodeA.WriteAsync(LinesOf(host, "r", round * 10 + batch + 1, DateTimeOffset.UtcNow, 100), Ct);
            }

            await Task.WhenAll(nodeA.TrimAsync(retention, Ct), nodeB.TrimAsync(retention, Ct), nodeA.TrimAsync(retention, Ct));
            await nodeB.TrimAsync(retention, Ct);

            await using var connection = new NpgsqlConnection(connectionString);
            var counted = await connection.ExecuteScalarAsync<long>("SELECT SUM(lines) FROM line_counts");
            var stored = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM log_lines WHERE text IS NOT NULL");
            Assert.Equal((100L, 100L), (counted, stored));
        }
    }

    [Fact]
    public async Task WhereANodeThatStartedWithoutTheStoreBegins_NeverPassesAnEventStoredSince()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var store = new PostgresHistoryStore(connectionString);
        await store.MigrateAsync(Ct);
        await using var connection = new NpgsqlConnection(connectionString);

        // Each round, a node started at `since` asks where to begin while another writer stores lines, read an hour
        // before (an agent's, held through an outage): they are stored after it started, so it shows them.
        for (var round = 0; round < 100; round++)
        {
            var since = DateTimeOffset.UtcNow;
            using var writing = new CancellationTokenSource();
            var writer = WriteMeanwhileAsync(store, $"round {round}", since.AddHours(-1), writing.Token);

            var position = await store.IdBeforeAsync(since, Ct);
            await writing.CancelAsync();
            await writer;

            var passed = await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM fleet_writes WHERE run = @run AND at >= @since AND id_base < @position",
                new { run = $"round {round}", since = since.ToUnixTimeMilliseconds(), position });
            Assert.True(passed == 0, $"round {round}: began after {passed} write(s) stored since it started");
        }
    }

    [Fact]
    public async Task ANodeStartingWhileOthersWrite_PreloadsNothingPastTheIdItGoesOnFrom()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var store = new PostgresHistoryStore(connectionString);
        await store.MigrateAsync(Ct);
        using var starting = NodeWriter(store);

        // Another host writes all along; each round a node starts: its ring's lines must not come again from the store.
        using var writing = new CancellationTokenSource();
        var writer = WriteMeanwhileAsync(store, "r", DateTimeOffset.UtcNow, writing.Token);
        try
        {
            for (var round = 0; round < 100; round++)
            {
                var start = await starting.OpenAsync([LogTailTopics.Log], 10, Ct);
                var past = start.Recent[LogTailTopics.Log].Where(e => e.Id > start.NewestId).ToList();
                Assert.True(past.Count == 0, $"round {round}: preloaded id {past.FirstOrDefault()?.Id} past {start.NewestId}");
            }
        }
        finally
        {
            await writing.CancelAsync();
            await writer;
        }
    }

    [Fact]
    public async Task AResumeReadWhileRetentionRemovesItsLines_GetsAllOfThemOrTheReset_NeverAGap()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var store = new PostgresHistoryStore(connectionString);
        await store.MigrateAsync(Ct);
        using var node = NodeWriter(store);
        var retention = new Retention(0, 0, 0, MaxLines: 50);
        var written = new List<long>(); // each write's newest id: its 100 lines are the 100 ids up to it
        for (var round = 0; round < 100; round++)
        {
            var newest = await store.WriteAsync(LinesOf("web-1", "r", round + 1, DateTimeOffset.UtcNow, 100), Ct);
            written.Add(newest);
            if (round == 0)
            {
                await store.TrimAsync(retention, Ct); // from here on, every line after the trimmed ones is stored
                continue;
            }

            // A reader resumes from the oldest line it may, as retention removes the oldest 100: started a few round
            // trips later each round, so that over the rounds it meets the trim at each of its steps.
            var afterId = await store.LogLostUpToAsync(Ct);
            var trim = store.TrimAsync(retention, Ct);
            for (var trip = 0; trip < round % 10; trip++)
            {
                await store.NewestIdAsync(Ct);
            }

            var read = await node.ReadAfterAsync(LogTailTopics.Log, afterId, newest, null, 10_000, Ct);
            await trim;

            var got = read?.Events.Sum(e => ((LogBatch)e.Payload).Lines.Count);
            var expected = written.Sum(w => Math.Clamp(w - afterId, 0, 100));
            Assert.True(got is null || got == expected, $"round {round}: {got} of the {expected} lines after {afterId}");
        }
    }

    // As many rows as a dashboard node reads at once.
    private const int FleetReaderRows = SseDashboard.Fleet.FleetReader.MaxRowsPerRead;

    private static HistoryWriter NodeWriter(HistoryStore store) => new(
        store,
        new HistoryStatus(StoreProvider.Postgres, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<HistoryStatus>.Instance),
        TimeProvider.System,
        Microsoft.Extensions.Logging.Abstractions.NullLogger<HistoryWriter>.Instance);

    // One batch of `count` lines of `host`, read at `at`, taking an id each.
    private static HistoryWrite LinesOf(string host, string run, long batch, DateTimeOffset at, int count)
    {
        var write = new HistoryWrite { Host = host, Run = run, Batch = batch, IdCount = count };
        var lines = Enumerable.Range(0, count).Select(i => LogLine.Of($"line {i}")).ToArray();
        LogRows.Add(write.Lines, count, new LogBatch(at, "/a.log", LogKinds.Lines, lines) { Host = host });
        return write;
    }

    // Another writer storing one line at a time, as fast as it can, until stopped.
    private static Task WriteMeanwhileAsync(HistoryStore store, string run, DateTimeOffset at, CancellationToken stop) => Task.Run(
        async () =>
        {
            for (var batch = 1; !stop.IsCancellationRequested; batch++)
            {
                await store.WriteAsync(LinesOf("web-1", run, batch, at, 1), Ct);
            }
        },
        Ct);
}
