using Npgsql;

namespace SseDashboard.Tests.Infrastructure;

public sealed class PostgresServerTests(PostgresServer postgres)
{
    [Fact]
    public async Task CreateDatabase_Twice_GivesTwoDistinctDatabasesOnPostgres15()
    {
        var first = await postgres.CreateDatabaseAsync();
        var second = await postgres.CreateDatabaseAsync();

        Assert.NotEqual(new NpgsqlConnectionStringBuilder(first).Database, new NpgsqlConnectionStringBuilder(second).Database);
        foreach (var connectionString in new[] { first, second })
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var version = new NpgsqlCommand("SELECT version()", connection);
            Assert.Contains("PostgreSQL 15", (string?)await version.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task CreateDatabase_TableCreatedInOne_IsNotVisibleInTheOther()
    {
        var first = await postgres.CreateDatabaseAsync();
        var second = await postgres.CreateDatabaseAsync();

        await ExecuteAsync(first, "CREATE TABLE readings (id bigint PRIMARY KEY)");

        Assert.True(await ExecuteAsync(first, "SELECT to_regclass('readings') IS NOT NULL") as bool?);
        Assert.True(await ExecuteAsync(second, "SELECT to_regclass('readings') IS NULL") as bool?);
    }

    private static async Task<object?> ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
