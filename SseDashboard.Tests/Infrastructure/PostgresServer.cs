using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using SseDashboard.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(PostgresServer))]

namespace SseDashboard.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL 15 cluster for the whole test run, on a loopback port in a temp directory of its own,
/// started when a test first asks for a database, so a run that asks for none starts nothing. Without PostgreSQL the
/// test skips, saying how to install it, unless under CI (<c>CI=true</c>), where that is a failure.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private const string User = "dashboard";
    private const string InstallHint = "PostgreSQL 15 is not installed at /usr/lib/postgresql/15/bin: run `apt-get install postgresql` (Debian 12) to run the database tests.";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);
    private static readonly bool AsRoot = Environment.UserName == "root";

    private readonly Lazy<Task<Cluster>> _cluster = new(StartAsync);
    private int _databases;

    /// <summary>
    /// A fresh, empty database of its own (starting the cluster if this is the first) and an Npgsql connection string
    /// for it; skips (or, under CI, fails) when PostgreSQL is not installed.
    /// </summary>
    public async Task<string> CreateDatabaseAsync()
    {
        Prerequisite.Require(File.Exists(Path.Combine(BinDirectory, "initdb")), InstallHint);

        // The start is shared: a cancelled test stops waiting for it, never stops it.
        var cluster = await _cluster.Value.WaitAsync(TestContext.Current.CancellationToken);
        var name = $"test_{Interlocked.Increment(ref _databases)}";
        await using var create = cluster.Admin.CreateCommand($"CREATE DATABASE {name}");
        await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return new NpgsqlConnectionStringBuilder(cluster.Admin.ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// Stops the cluster as an outage would (connections cut, nothing new accepted), for a test of a store that goes
    /// away; only on a cluster of the test's own (<c>new PostgresServer()</c>), never the shared one.
    /// </summary>
    public async Task StopClusterAsync()
    {
        var cluster = await _cluster.Value;
        await RunAsync(cluster.Directory, Path.Combine(BinDirectory, "pg_ctl"), "-D", cluster.Directory.File("data"), "-m", "fast", "-w", "stop");
    }

    /// <summary>Starts a cluster stopped by <see cref="StopClusterAsync"/> again, on the same port, with its data.</summary>
    public async Task StartClusterAgainAsync()
    {
        var cluster = await _cluster.Value;
        await RunAsync(cluster.Directory, Path.Combine(BinDirectory, "pg_ctl"), "-D", cluster.Directory.File("data"), "-l", cluster.Directory.File("postgres.log"), "-w", "start");
    }

    private static async Task<Cluster> StartAsync()
    {
        var directory = new TempDirectory();
        var data = directory.File("data");
        var log = directory.File("postgres.log");
        var port = FreePort();
        try
        {
            if (AsRoot)
            {
                // The server refuses to run as root: the cluster belongs to the postgres user the package creates.
                await RunAsync(directory, "chown", "postgres:", directory.Path);
            }

            await RunAsync(directory, Path.Combine(BinDirectory, "initdb"), "-D", data, "-A", "trust", "-U", User, "-E", "UTF8", "--no-locale", "--no-sync");

            // Settings go in the cluster's own file rather than through pg_ctl -o, which a shell would split.
            // Durability is off: the cluster is thrown away. Each test database has a connection pool of its own,
            // hence more than the default 100 connections.
            File.AppendAllText(Path.Combine(data, "postgresql.conf"), $"""

                port = {port}
                listen_addresses = '127.0.0.1'
                unix_socket_directories = '{directory.Path}'
                max_connections = 300
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                """);
            await RunAsync(directory, Path.Combine(BinDirectory, "pg_ctl"), "-D", data, "-l", log, "-w", "start");
        }
        catch (Exception e)
        {
            try
            {
                await StopAsync(directory);
            }
            catch (InvalidOperationException)
            {
                // The start's own error is the one worth reporting.
            }

            var serverLog = File.Exists(log) ? File.ReadAllText(log) : "(no server log)";
            directory.Dispose();
            throw new InvalidOperationException($"PostgreSQL did not start: {e.Message}\nServer log:\n{serverLog}", e);
        }

        var admin = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = User,
            Database = "postgres",
            Pooling = true,
        }.ConnectionString);
        return new Cluster(directory, admin);
    }

    /// <summary>Stops the cluster at once (it holds nothing worth a clean shutdown), if it is running at all.</summary>
    private static async Task StopAsync(TempDirectory directory)
    {
        if (File.Exists(directory.File("data/postmaster.pid")))
        {
            await RunAsync(directory, Path.Combine(BinDirectory, "pg_ctl"), "-D", directory.File("data"), "-m", "immediate", "-w", "stop");
        }
    }

    /// <summary>Runs a tool to its end (as the postgres user when we are root), failing with its output unless it exits 0.</summary>
    private static async Task RunAsync(TempDirectory directory, string tool, params string[] args)
    {
        var asPostgres = AsRoot && tool.StartsWith(BinDirectory, StringComparison.Ordinal);
        var info = new ProcessStartInfo(asPostgres ? "runuser" : tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory.Path,
        };
        foreach (var arg in asPostgres ? ["-u", "postgres", "--", tool, .. args] : args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ToolTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(tool)} {string.Join(' ', args)} did not finish within {ToolTimeout}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(tool)} {string.Join(' ', args)} exited with {process.ExitCode}: {(await stdout + await stderr).Trim()}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_cluster.IsValueCreated)
        {
            return;
        }

        var start = _cluster.Value;
        await ((Task)start).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!start.IsCompletedSuccessfully)
        {
            return; // a failed start cleans up after itself
        }

        var cluster = start.Result;
        await cluster.Admin.DisposeAsync();
        try
        {
            await StopAsync(cluster.Directory);
        }
        finally
        {
            cluster.Directory.Dispose();
        }
    }

    private sealed record Cluster(TempDirectory Directory, NpgsqlDataSource Admin);
}
