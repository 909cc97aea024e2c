using Dapper;
using Npgsql;
using SseDashboard.History;

namespace SseDashboard.Auth;

/// <summary>
/// A fleet's access list, in PostgreSQL: every change is one transaction on its own row, with a <c>NOTIFY</c> at its
/// commit, so a revocation or a logout on any node reaches every node at once and ends their streams that depend on
/// it. Each node keeps the revoked ids in memory (every request asks), read whole each time it starts listening and
/// kept current by the notifications (<see cref="PostgresAccessListener"/>); while it cannot listen it answers
/// <see cref="AccessCheck.Unknown"/>.
/// </summary>
public sealed class PostgresAccessStore(
    HistoryStore history, AccessWatch watch, TimeProvider timeProvider) : AccessStore
{
    /// <summary>The channel each change notifies: <c>session:ID:EXPIRES</c> or <c>embed:ID:EXPIRES</c> (Unix milliseconds).</summary>
    public const string Channel = "dashboard_access";

    private readonly PostgresHistoryStore _store = (PostgresHistoryStore)history;

    public string ConnectionString => _store.ConnectionString;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private volatile bool _current;

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
            await using var connection = (NpgsqlConnection)await history.ConnectAsync(cancellationToken);
            return await change(connection);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new AccessStoreUnavailableException($"Could not {what}: the store (PostgreSQL) cannot be reached. Nothing was changed; try again.", ex);
        }
    }

    /// <summary>Whether the list in memory is current: set by the listener while it hears every change.</summary>
    internal void SetCurrent(bool current) => _current = current;

    /// <summary>
    /// The whole list, merged into the copy in memory (a revocation is never undone, and one heard during this read
    /// stays); whatever it holds that the copy did not (revoked while this node could not hear) ends its streams now.
    /// Entries past their expiry go, from the store and from memory.
    /// </summary>
    internal async Task ReadAllAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var parameters = new { now = now.ToUnixTimeMilliseconds() };
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM revoked_sessions WHERE expires_at <= @now; DELETE FROM embed_tokens WHERE expires_at <= @now", parameters, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<(string Key, long ExpiresAt)>(new CommandDefinition(
            """
            SELECT 'session:' || id, expires_at FROM revoked_sessions
            UNION ALL SELECT 'embed:' || id, expires_at FROM embed_tokens WHERE revoked_at IS NOT NULL
            """,
            cancellationToken: cancellationToken));
        var newly = new List<string>();
        lock (_lock)
        {
            foreach (var (key, expiresAt) in rows)
            {
                if (_revoked.TryAdd(key, DateTimeOffset.FromUnixTimeMilliseconds(expiresAt)))
                {
                    newly.Add(key);
                }
            }

            foreach (var expired in _revoked.Where(r => r.Value <= now).Select(r => r.Key).ToArray())
            {
                _revoked.Remove(expired);
            }
        }

        foreach (var key in newly)
        {
            watch.Revoke(key[(key.IndexOf(':') + 1)..]);
        }
    }

    /// <summary>A change another node (or this one) committed, as its notification says.</summary>
    internal void Heard(string payload)
    {
        var parts = payload.Split(':');
        if (parts.Length == 3 && parts[0] is "session" or "embed" && long.TryParse(parts[2], out var expiresAt))
        {
            Revoked($"{parts[0]}:{parts[1]}", DateTimeOffset.FromUnixTimeMilliseconds(expiresAt));
        }
    }
}
