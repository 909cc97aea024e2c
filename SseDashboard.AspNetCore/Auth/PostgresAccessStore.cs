using Dapper;
using Npgsql;
using SseDashboard.History;

namespace SseDashboard.Auth;

/// <summary>
/// A fleet's access list, in PostgreSQL: every change is one transaction on its own row, with a <c>NOTIFY</c> at its
/// commit, so a revocation or a logout on any node reaches every node at once and ends their streams that depend on
/// it. Each node keeps the revoked ids in memory (every request asks), read whole each time it starts listening and
/// kept current by the notifications; while it cannot listen it answers <see cref="AccessCheck.Unknown"/>.
/// </summary>
public sealed partial class PostgresAccessStore(
    HistoryStore history, AccessWatch watch, TimeProvider timeProvider, ILogger<PostgresAccessStore> logger) : AccessStore, IHostedService
{
    /// <summary>The channel each change notifies: <c>session:ID:EXPIRES</c> or <c>embed:ID:EXPIRES</c> (Unix milliseconds).</summary>
    public const string Channel = "dashboard_access";

    // A listening connection that hears nothing for this long re-reads the list: it also finds out the connection died.
    private static readonly TimeSpan QuietRead = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly PostgresHistoryStore _store = (PostgresHistoryStore)history;
    private readonly Lock _lock = new();
    // Never disposed: it has no timer, and StopAsync may come after the container is disposed.
    private readonly CancellationTokenSource _stopping = new();
    private Dictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private volatile bool _current;
    private Task? _listening;

    public override bool IsCurrent => _current;

    public override AccessCheck Session(string id) => Check("session:" + id);

    public override AccessCheck EmbedToken(string id) => Check("embed:" + id);

    public override async Task AddAsync(EmbedTokenInfo token, CancellationToken cancellationToken) =>
        await ChangeAsync(
            "issue the embed token",
            connection => connection.ExecuteAsync(
                "INSERT INTO embed_tokens (id, panels, origins, created_at, expires_at) VALUES (@Id, @Panels, @Origins, @CreatedAt, @ExpiresAt)",
                new { token.Id, token.Panels, token.Origins, CreatedAt = token.CreatedAt.ToUnixTimeMilliseconds(), ExpiresAt = token.ExpiresAt.ToUnixTimeMilliseconds() }),
            cancellationToken);

    public override async Task<IReadOnlyList<EmbedTokenInfo>> LiveEmbedTokensAsync(CancellationToken cancellationToken)
    {
        var rows = await ChangeAsync(
            "list the embed tokens",
            connection => connection.QueryAsync<(string Id, string[] Panels, string[] Origins, long CreatedAt, long ExpiresAt)>(
                "SELECT id, panels, origins, created_at, expires_at FROM embed_tokens WHERE revoked_at IS NULL AND expires_at > @now ORDER BY created_at, id",
                new { now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds() }),
            cancellationToken);
        return rows.Select(r => new EmbedTokenInfo(
            r.Id, r.Panels, r.Origins, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(r.ExpiresAt))).ToArray();
    }

    public override async Task<bool> RevokeEmbedTokenAsync(string id, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var expiresAt = await ChangeAsync(
            "revoke the embed token",
            async connection =>
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var expires = await connection.QuerySingleOrDefaultAsync<long?>(
                    "UPDATE embed_tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL AND expires_at > @now RETURNING expires_at",
                    new { id, now },
                    transaction);
                if (expires is { } at)
                {
                    await NotifyAsync(connection, transaction, $"embed:{id}:{at}");
                }

                await transaction.CommitAsync(cancellationToken);
                return expires;
            },
            cancellationToken);
        if (expiresAt is not { } until)
        {
            return false;
        }

        Revoked("embed:" + id, DateTimeOffset.FromUnixTimeMilliseconds(until));
        return true;
    }

    public override async Task RevokeSessionAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var until = expiresAt.ToUnixTimeMilliseconds();
        await ChangeAsync(
            "end the session",
            async connection =>
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(
                    "INSERT INTO revoked_sessions (id, expires_at) VALUES (@id, @until) ON CONFLICT (id) DO NOTHING", new { id, until }, transaction);
                await NotifyAsync(connection, transaction, $"session:{id}:{until}");
                await transaction.CommitAsync(cancellationToken);
                return 0;
            },
            cancellationToken);
        Revoked("session:" + id, expiresAt);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listening = ListenAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_listening is { } listening)
        {
            await listening.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private AccessCheck Check(string key)
    {
        if (!_current)
        {
            return AccessCheck.Unknown;
        }

        lock (_lock)
        {
            return _revoked.ContainsKey(key) ? AccessCheck.Revoked : AccessCheck.Allowed;
        }
    }

    // A revocation made here or heard of: refused from now on, and the streams open with it end.
    private void Revoked(string key, DateTimeOffset expiresAt)
    {
        lock (_lock)
        {
            _revoked[key] = expiresAt;
        }

        watch.Revoke(key[(key.IndexOf(':') + 1)..]);
    }

    private static Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string payload) =>
        connection.ExecuteAsync("SELECT pg_notify(@channel, @payload)", new { channel = Channel, payload }, transaction);

    private async Task<T> ChangeAsync<T>(string what, Func<NpgsqlConnection, Task<T>> change, CancellationToken cancellationToken)
    {
        try
        {
            await history.EnsureMigratedAsync(cancellationToken);
            await using var connection = await _store.OpenConnectionAsync(cancellationToken);
            return await change(connection);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new AccessStoreUnavailableException($"Could not {what}: the store (PostgreSQL) cannot be reached. Nothing was changed; try again.", ex);
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await history.EnsureMigratedAsync(stoppingToken);
                // A connection of its own, outside the pool: a pooled one is reset (UNLISTEN) when returned.
                await using var connection = new NpgsqlConnection(_store.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => Heard(e.Payload);
                await connection.ExecuteAsync($"LISTEN {Channel}");
                while (true)
                {
                    // Listening before reading: a change committed from here on is heard, one before is read.
                    await ReadAllAsync(connection);
                    if (failing)
                    {
                        LogRecovered(logger);
                        failing = false;
                    }

                    backoff = TimeSpan.FromSeconds(1);
                    _current = true;
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
                _current = false;
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

    // The whole list, replacing the copy in memory; whatever it holds that the copy did not (revoked while this node
    // could not hear) ends its streams now.
    private async Task ReadAllAsync(NpgsqlConnection connection)
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        await connection.ExecuteAsync("DELETE FROM revoked_sessions WHERE expires_at <= @now; DELETE FROM embed_tokens WHERE expires_at <= @now", new { now });
        var rows = await connection.QueryAsync<(string Key, long ExpiresAt)>(
            """
            SELECT 'session:' || id, expires_at FROM revoked_sessions
            UNION ALL SELECT 'embed:' || id, expires_at FROM embed_tokens WHERE revoked_at IS NOT NULL
            """);
        var revoked = rows.ToDictionary(r => r.Key, r => DateTimeOffset.FromUnixTimeMilliseconds(r.ExpiresAt), StringComparer.Ordinal);
        string[] newly;
        lock (_lock)
        {
            newly = revoked.Keys.Where(k => !_revoked.ContainsKey(k)).ToArray();
            _revoked = revoked;
        }

        foreach (var key in newly)
        {
            watch.Revoke(key[(key.IndexOf(':') + 1)..]);
        }
    }

    private void Heard(string payload)
    {
        var parts = payload.Split(':');
        if (parts.Length == 3 && parts[0] is "session" or "embed" && long.TryParse(parts[2], out var expiresAt))
        {
            Revoked($"{parts[0]}:{parts[1]}", DateTimeOffset.FromUnixTimeMilliseconds(expiresAt));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The access list in the store cannot be read ({Problem}): sessions and embed tokens are refused until it can")]
    private static partial void LogUnavailable(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "The access list in the store can be read again: sessions and embed tokens are checked against it")]
    private static partial void LogRecovered(ILogger logger);
}
