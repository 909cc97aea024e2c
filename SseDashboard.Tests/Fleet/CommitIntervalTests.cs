using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using SseDashboard.History;
using SseDashboard.LogTail;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Fleet;

/// <summary>A fleet writer commits at most once per <c>Dashboard:Store:CommitInterval</c>, whatever its rate, losing nothing.</summary>
public sealed class CommitIntervalTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwentyBatchesOverHalfASecond_AreFewCommitsAtTheDefault_AndOneEachWithNone()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var store = new PostgresHistoryStore(connectionString);
        await store.MigrateAsync(Ct);

        var batched = await CommitsAsync(store, connectionString, "agent-batched", commitInterval: null);
        var unbatched = await CommitsAsync(store, connectionString, "agent-unbatched", TimeSpan.Zero);

        Assert.InRange(batched, 1, 3);
        Assert.InRange(unbatched, 10, 20);
    }

    // Submits 20 one-line log batches 25 ms apart through an agent's writer; how many commits stored them all.
    private static async Task<long> CommitsAsync(PostgresHistoryStore store, string connectionString, string host, TimeSpan? commitInterval)
    {
        using var writer = new HistoryWriter(
            store,
            new HistoryStatus(StoreProvider.Postgres, TimeProvider.System, NullLogger<HistoryStatus>.Instance),
            TimeProvider.System,
            NullLogger<HistoryWriter>.Instance,
            new LocalHost(host, "Agent"),
            options: Options.Create(new HistoryOptions { Provider = StoreProvider.Postgres, CommitInterval = commitInterval }));
        await writer.StartAsync(Ct);
        using (var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(25)))
        {
            for (var i = 0; i < 20; i++)
            {
                await pace.WaitForNextTickAsync(Ct);
                writer.Submit([LogTailTopics.Log.With(new LogBatch(DateTimeOffset.UtcNow, "/a.log", LogKinds.Lines, [LogLine.Of($"line {i}")]) { Host = host })], shown: false);
            }
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await Eventually.TrueAsync(
            async () => await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM log_lines WHERE host = @host", new { host }) == 20,
            TimeSpan.FromSeconds(10),
            $"{host}'s 20 lines stored");
        await writer.StopAsync(Ct);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM fleet_writes WHERE host = @host", new { host });
    }
}
