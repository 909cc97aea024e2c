using Dapper;
using Npgsql;
using SseDashboard.History;

namespace SseDashboard.Alerts;

/// <summary>
/// Which dashboard node evaluates the rules: with a fleet's PostgreSQL, the one holding an advisory lock on a
/// connection of its own (a node that dies drops its connection, and with it the lock: another takes over within
/// <see cref="Retry"/>); with one node, this one.
/// </summary>
public sealed partial class AlertLeader(HistoryStore? history, TimeProvider timeProvider, ILogger<AlertLeader> logger)
{
    private const long LockKey = 0x5353_4544_6173_6803;

    /// <summary>How often a node that does not evaluate tries to, and a node that does checks it still holds the lock.</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    private volatile bool _leader;

    public bool IsLeader => _leader;

    /// <summary>Waits until this node evaluates: the answer's token is cancelled when it no longer does.</summary>
    public async Task<Leadership> AcquireAsync(CancellationToken cancellationToken)
    {
        if (history is not PostgresHistoryStore store)
        {
            _leader = true;
            return new Leadership(null, CancellationToken.None, () => _leader = false);
        }

        while (true)
        {
            NpgsqlConnection? connection = null;
            try
            {
                await history.EnsureMigratedAsync(cancellationToken);
                // Outside the pool: the lock is the connection's, and goes only with it.
                // Both ends find a dead peer in seconds, not TCP's hours: the server drops a crashed leader's lock, and a
                // leader cut off from the server stops within a ping's timeout, before another may take the lead.
                connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(store.ConnectionString)
                {
                    Pooling = false,
                    TcpKeepAlive = true,
                    TcpKeepAliveTime = 2,
                    TcpKeepAliveInterval = 1,
                    CommandTimeout = (int)Retry.TotalSeconds,
                }.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(
                    "SET tcp_keepalives_idle = 2; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3", cancellationToken: cancellationToken));
                if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@key)", new { key = LockKey }, cancellationToken: cancellationToken)))
                {
                    LogLeading(logger);
                    _leader = true;
                    var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    _ = HoldAsync(connection, lost);
                    return new Leadership(connection, lost.Token, () =>
                    {
                        _leader = false;
                        lost.Cancel();
                    });
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogCannotLead(logger, ex.Message);
            }

            if (connection is not null && !_leader)
            {
                await connection.DisposeAsync();
            }

            await Task.Delay(Retry, timeProvider, cancellationToken);
        }
    }

    // The lock holds while the connection answers; once it does not, another node may have it.
    private async Task HoldAsync(NpgsqlConnection connection, CancellationTokenSource lost)
    {
        try
        {
            while (!lost.IsCancellationRequested)
            {
                await Task.Delay(Retry, timeProvider, lost.Token);
                await connection.ExecuteAsync(new CommandDefinition("SELECT 1", cancellationToken: lost.Token));
            }
        }
        catch (Exception ex) when (!lost.IsCancellationRequested)
        {
            LogLost(logger, ex.Message);
        }
        finally
        {
            _leader = false;
            await lost.CancelAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>This node evaluating, until <see cref="Lost"/>; disposing it gives the lock up.</summary>
    public sealed class Leadership(NpgsqlConnection? connection, CancellationToken lost, Action release) : IDisposable
    {
        public CancellationToken Lost => lost;

        public bool Shared => connection is not null;

        public void Dispose() => release();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This node evaluates the alert rules")]
    private static partial void LogLeading(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cannot take the alerts lock now: {Problem}")]
    private static partial void LogCannotLead(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node lost the alerts lock ({Problem}): another node takes over evaluating")]
    private static partial void LogLost(ILogger logger, string problem);
}
