using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.History;

/// <summary>A store that stops taking writes never delays live streaming; it shows as degraded, and catches up after.</summary>
public sealed class StoreFailureTests(PostgresServer postgres)
{
    public static TheoryData<string> Providers => StoreProviders.All;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task LockedStore_LiveLinesStillFlow_HealthAndServerPanelSayDegraded_ThenEverythingIsStored(string provider)
    {
        // Writes give up after a second of waiting on the lock, as on a store that is down.
        using var data = new TempDirectory();
        var connectionString = provider == "Postgres"
            ? await postgres.CreateDatabaseAsync() + ";Command Timeout=1"
            : $"Data Source={data.File("dashboard.db")};Default Timeout=1";
        using var fixture = new HistoryFixture(provider, connectionString, new Dictionary<string, string?>
        {
            ["Dashboard:Server:Interval"] = "00:00:00.2",
            ["Serilog:MinimumLevel:Override:SseDashboard.History"] = "Information",
        });
        await using var server = await fixture.StartAsync();
        await using var live = await SseClient.ConnectAsync(server.Client, "/sse?topics=log&format=json");
        await fixture.AppendAsync("stored before");
        await HistoryFixture.StoredLinesAsync(server, l => l.Contains("stored before"));

        await using (var lockHolder = await LockLogTableAsync(provider, connectionString))
        {
            await fixture.AppendAsync("while locked 1", "while locked 2");
            var (lines, _) = await HistoryFixture.ReadLogAsync(live, 3);
            Assert.Equal(["stored before", "while locked 1", "while locked 2"], lines);

            await Eventually.TrueAsync(async () => await HealthAsync(server) == "Degraded", TimeSpan.FromSeconds(10), "/healthz Degraded");
            var store = await StoreStatusAsync(server, s => s.GetProperty("status").GetString() == "failing");
            Assert.Contains("store events", store.GetProperty("error").GetString());
        }

        await Eventually.TrueAsync(async () => await HealthAsync(server) == "Healthy", TimeSpan.FromSeconds(15), "/healthz Healthy again");
        Assert.Equal(
            ["stored before", "while locked 1", "while locked 2"],
            await HistoryFixture.StoredLinesAsync(server, l => l.Count == 3));
        Assert.Equal("ok", (await StoreStatusAsync(server, s => s.GetProperty("status").GetString() == "ok")).GetProperty("status").GetString());

        // However often it was retried: one line for the failure, one for the recovery.
        var log = ServerLog(server);
        Assert.Equal(1, Count(log, "history store failed to"));
        Assert.Equal(1, Count(log, "history store works again"));
    }

    private static string ServerLog(DashboardServer server) =>
        string.Concat(Directory.GetFiles(Path.Combine(server.Directory, "logs")).Select(path =>
        {
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            return reader.ReadToEnd();
        }));

    private static int Count(string text, string what) =>
        (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    private static async Task<string> HealthAsync(DashboardServer server) =>
        await server.Client.GetStringAsync("/healthz", TestContext.Current.CancellationToken);

    private static async Task<JsonElement> StoreStatusAsync(DashboardServer server, Func<JsonElement, bool> until)
    {
        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=server&format=json");
        for (var i = 0; i < 100; i++)
        {
            var store = JsonDocument.Parse((await sse.NextOfTypeAsync("server")).Data).RootElement.GetProperty("store").Clone();
            if (until(store))
            {
                return store;
            }
        }

        throw new TimeoutException("The server panel never showed the store so.");
    }

    // A transaction holding the log table so writers wait (and time out); disposing it rolls back and lets them through
    // (a pooled connection would otherwise go back to its pool still holding the lock).
    private static async Task<IAsyncDisposable> LockLogTableAsync(string provider, string connectionString)
    {
        DbConnection connection = provider == "Postgres" ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // SQLite: a write takes the database's one write lock, held to the end of the transaction.
        command.CommandText = provider == "Postgres" ? "LOCK TABLE log_lines IN EXCLUSIVE MODE" : "UPDATE store_state SET value = value";
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return new Held(connection, transaction);
    }

    private sealed class Held(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
