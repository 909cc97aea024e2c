using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.History;

/// <summary>The store providers every history test runs against: the same tests, the same expectations.</summary>
public static class StoreProviders
{
    public static TheoryData<string> All => new() { "Sqlite", "Postgres" };

    /// <summary>A fresh store for <paramref name="provider"/>: SQLite's default file in the data path, or a new PostgreSQL database.</summary>
    public static async Task<string?> ConnectionStringAsync(string provider, PostgresServer postgres) =>
        provider == "Postgres" ? await postgres.CreateDatabaseAsync() : null;
}
