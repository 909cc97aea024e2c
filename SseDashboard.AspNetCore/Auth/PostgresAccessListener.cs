using Dapper;
using Npgsql;

namespace SseDashboard.Auth;

/// <summary>
/// Keeps a node's copy of the fleet's access list current: listens for every change's notification, reads the whole
/// list each time it starts listening (and after a quiet while, which also finds a dead connection), and marks the list
/// unknown whenever it cannot listen, so nothing is judged by a copy that may have missed a revocation.
/// </summary>
public sealed partial class PostgresAccessListener(
    PostgresAccessStore store, History.HistoryStore history, TimeProvider timeProvider, ILogger<PostgresAccessListener> logger) : BackgroundService
{
    private static readonly TimeSpan QuietRead = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await history.EnsureMigratedAsync(stoppingToken);
                // A connection held for listening: the pool gets it back (and resets it) only when this one is done.
                await using var connection = new NpgsqlConnection(store.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => store.Heard(e.Payload);
                await connection.ExecuteAsync(new CommandDefinition($"LISTEN {PostgresAccessStore.Channel}", cancellationToken: stoppingToken));
                while (true)
                {
                    // Listening before reading: a change committed from here on is heard, one before is read.
                    await store.ReadAllAsync(connection, stoppingToken);
                    if (failing)
                    {
                        LogRecovered(logger);
                        failing = false;
                    }

                    backoff = TimeSpan.FromSeconds(1);
                    store.SetCurrent(true);
                    while (await connection.WaitAsync(QuietRead, stoppingToken))
                    {
                    }
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                store.SetCurrent(false);
                if (!failing)
                {
                    LogUnavailable(logger, ex.Message);
                    failing = true;
                }
            }

            try
            {
                await Task.Delay(backoff, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The access list in the store cannot be read ({Problem}): sessions and embed tokens are refused until it can")]
    private static partial void LogUnavailable(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "The access list in the store can be read again: sessions and embed tokens are checked against it")]
    private static partial void LogRecovered(ILogger logger);
}
