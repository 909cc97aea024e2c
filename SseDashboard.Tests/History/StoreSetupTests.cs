using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;
using SseDashboard.History;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.History;

/// <summary>Choosing the store, its schema versions, and bad settings.</summary>
public sealed class StoreSetupTests(PostgresServer postgres)
{
    public static TheoryData<string> Providers => StoreProviders.All;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Schema_IsCreatedOnce_AndANewerSchemaStopsStartUp_SayingWhy(string provider)
    {
        var connectionString = await StoreProviders.ConnectionStringAsync(provider, postgres);
        using var fixture = new HistoryFixture(provider, connectionString);
        var newest = provider == "Postgres" ? 8 : 5; // PostgreSQL's 5: a fleet's key ring and access list; 7, 8: its writers side by side
        await using (var first = await fixture.StartAsync())
        {
            var store = first.GetRequiredService<HistoryStore>();
            await store.MigrateAsync(TestContext.Current.CancellationToken);
            Assert.Equal(newest, await store.SchemaVersionAsync(TestContext.Current.CancellationToken));
        }

        await using (var connection = Open(provider, connectionString ?? $"Data Source={Path.Combine(fixture.DataPath, "dashboard.db")}"))
        {
            await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@version)", new { version = newest + 1 });
        }

        var error = await Assert.ThrowsAsync<HistorySchemaException>(fixture.StartAsync);
        Assert.Contains($"The {provider} store's schema is version {newest + 1}, newer than this build knows ({newest})", error.Message);
    }

    [Fact]
    public async Task SqliteByDefault_IsAFileInTheDataPath()
    {
        await using var server = await DashboardServer.StartAsync();
        Assert.IsType<SqliteHistoryStore>(server.GetRequiredService<HistoryStore>());
        Assert.True(File.Exists(Path.Combine(server.GetRequiredService<IOptions<DataOptions>>().Value.DataPath, "dashboard.db")));
    }

    [Fact]
    public async Task ProviderNone_StoresNothing_AndARestartCannotResume()
    {
        using var fixture = new HistoryFixture("None");
        await fixture.AppendAsync("only in memory");
        long seen;
        await using (var first = await fixture.StartAsync())
        {
            Assert.Null(first.App.Services.GetService(typeof(HistoryStore)));
            using var logs = await first.Client.GetAsync("/api/logs", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, logs.StatusCode);
            await using var sse = await SseClient.ConnectAsync(first.Client, "/sse?topics=log&format=json");
            seen = (await HistoryFixture.ReadLogAsync(sse, 1)).Events[0].Id;
        }

        Assert.False(Directory.Exists(fixture.DataPath) && Directory.EnumerateFiles(fixture.DataPath, "dashboard.db*").Any());
        await using var second = await fixture.StartAsync();
        await using var resumed = await SseClient.ConnectAsync(second.Client, "/sse?topics=log&format=json", seen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("\"kind\":\"reset\"", (await resumed.NextOfTypeAsync("log")).Data);
    }

    [Theory]
    [InlineData("Dashboard:Store:Provider", "Postgres", "Dashboard:Store:ConnectionString is required when Provider is Postgres")]
    [InlineData("Dashboard:Store:ConnectionString", "Data Sorce=x.db", "Dashboard:Store:ConnectionString is not a valid Sqlite connection string")]
    [InlineData("Dashboard:Store:MaxLogLines", "0", "Dashboard:Store:MaxLogLines must be between")]
    [InlineData("Dashboard:Store:LogRetention", "00:00:01", "Dashboard:Store:LogRetention must be between")]
    public async Task BadStoreSettings_StopStartUp_NamingTheKey(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            DashboardServer.StartAsync(new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task UnknownProvider_StopsStartUp_NamingTheKey()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Store:Provider"] = "Mongo" }));
        Assert.Contains("Dashboard:Store:Provider", error.Message);
    }

    [Fact]
    public async Task FullQueue_DropsAndCounts_AndAResumeFromBeforeADroppedEventIsNotHonoured_AfterARestartToo()
    {
        using var data = new TempDirectory();
        var connectionString = $"Data Source={data.File("x.db")}";
        var status = new HistoryStatus(StoreProvider.Sqlite, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<HistoryStatus>.Instance);
        var topic = SseDashboard.LogTail.LogTailTopics.Log;
        var events = Enumerable.Range(1, HistoryWriter.MaxQueuedEvents + 3)
            .Select(i => new SseEvent(i, topic, 0, SseDashboard.LogTail.LogBatch.Reset(DateTimeOffset.UtcNow), [], []))
            .ToArray();
        using (var writer = NewWriter(connectionString, status))
        {
            await writer.OpenAsync([topic], 10, TestContext.Current.CancellationToken);

            writer.Append(events);

            Assert.Equal(3, status.Dropped);
            Assert.Null(await writer.ReadAfterAsync(topic, HistoryWriter.MaxQueuedEvents + 1, long.MaxValue, null, 100, TestContext.Current.CancellationToken));
            Assert.NotNull(await writer.ReadAfterAsync(topic, HistoryWriter.MaxQueuedEvents + 3, long.MaxValue, null, 100, TestContext.Current.CancellationToken));

            // What was queued is stored (the drop with it), and the process stops.
            await writer.StartAsync(TestContext.Current.CancellationToken);
            await writer.StopAsync(TestContext.Current.CancellationToken);
            Assert.Equal(HistoryWriter.MaxQueuedEvents, writer.StoredUpTo);
        }

        // Started again: the store remembers the drop, where memory no longer can.
        using var restarted = NewWriter(connectionString, status);
        await restarted.OpenAsync([topic], 10, TestContext.Current.CancellationToken);
        Assert.Null(await restarted.ReadAfterAsync(topic, HistoryWriter.MaxQueuedEvents + 1, long.MaxValue, null, 100, TestContext.Current.CancellationToken));
        Assert.NotNull(await restarted.ReadAfterAsync(topic, HistoryWriter.MaxQueuedEvents + 3, long.MaxValue, null, 100, TestContext.Current.CancellationToken));
    }

    private static HistoryWriter NewWriter(string connectionString, HistoryStatus status) =>
        new(new SqliteHistoryStore(connectionString), status, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<HistoryWriter>.Instance);

    private static System.Data.Common.DbConnection Open(string provider, string connectionString)
    {
        System.Data.Common.DbConnection connection = provider == "Postgres" ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }
}
