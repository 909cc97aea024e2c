namespace SseDashboard.Tests.History;

/// <summary>The store providers every history test runs against.</summary>
public static class StoreProviders
{
    public static TheoryData<string> All => new() { "Sqlite" };

    /// <summary>A fresh store for <paramref name="provider"/>: SQLite's default file in the server's data path.</summary>
    public static Task<string?> ConnectionStringAsync(string provider) =>
        Task.FromResult<string?>(provider == "Sqlite" ? null : throw new ArgumentOutOfRangeException(nameof(provider)));
}
