using System.Text.Json;
using Dapper;
using SseDashboard.History;

namespace SseDashboard.Alerts;

/// <summary>An active alert as stored: a restart (or the next evaluating node of a fleet) goes on from it.</summary>
public sealed record StoredAlert(
    string Rule, string Host, string State, DateTimeOffset Since, DateTimeOffset? NotifiedAt, long Matches, double? Value, string Summary, IReadOnlyList<string> Lines);

/// <summary>
/// Alerts' state in the history store (SQLite or PostgreSQL; the tables are its schema's): active alerts, every change
/// and silences. With no store (<c>Provider=None</c>) they are kept in memory, for this process's life.
/// </summary>
public sealed class AlertStore(HistoryStore? history, TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string, string), StoredAlert> _states = [];
    private readonly List<AlertChange> _changes = [];
    private readonly Dictionary<string, Silence> _silences = [];

    public bool IsShared => history is PostgresHistoryStore;

    public async Task<IReadOnlyList<StoredAlert>> LoadAsync(CancellationToken cancellationToken)
    {
        if (history is null)
        {
            lock (_lock)
            {
                return [.. _states.Values];
            }
        }

        await using var connection = await history.ConnectAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Rule, string Host, string State, long Since, long? NotifiedAt, long Matches, double? Value, string Summary, string? Lines)>(
            "SELECT rule, host, state, since, notified_at, matches, value, summary, lines FROM alert_states");
        return rows.Select(r => new StoredAlert(
            r.Rule, r.Host, r.State, At(r.Since), r.NotifiedAt is { } n ? At(n) : null, r.Matches, r.Value, r.Summary,
            r.Lines is null ? [] : JsonSerializer.Deserialize<string[]>(r.Lines) ?? [])).ToArray();
    }

    public async Task SaveAsync(StoredAlert alert, CancellationToken cancellationToken)
    {
        if (history is null)
        {
            lock (_lock)
            {
                _states[(alert.Rule, alert.Host)] = alert;
            }

            return;
        }

        await using var connection = await history.ConnectAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO alert_states (rule, host, state, since, notified_at, matches, value, summary, lines)
            VALUES (@Rule, @Host, @State, @Since, @NotifiedAt, @Matches, @Value, @Summary, @Lines)
            ON CONFLICT (rule, host) DO UPDATE SET state = excluded.state, since = excluded.since, notified_at = excluded.notified_at,
                matches = excluded.matches, value = excluded.value, summary = excluded.summary, lines = excluded.lines
            """,
            new
            {
                alert.Rule,
                alert.Host,
                alert.State,
                Since = alert.Since.ToUnixTimeMilliseconds(),
                NotifiedAt = alert.NotifiedAt?.ToUnixTimeMilliseconds(),
                alert.Matches,
                alert.Value,
                alert.Summary,
                Lines = JsonSerializer.Serialize(alert.Lines),
            });
    }

    public async Task RemoveAsync(string rule, string host, CancellationToken cancellationToken)
    {
        if (history is null)
        {
            lock (_lock)
            {
                _states.Remove((rule, host));
            }

            return;
        }

        await using var connection = await history.ConnectAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM alert_states WHERE rule = @rule AND host = @host", new { rule, host });
    }

    /// <summary>Stores a change; the change with its id.</summary>
    public async Task<AlertChange> AddChangeAsync(AlertChange change, CancellationToken cancellationToken)
    {
        if (history is null)
        {
            lock (_lock)
            {
                var stored = change with { Id = _changes.Count + 1 };
                _changes.Add(stored);
                return stored;
            }
        }

        await using var connection = await history.ConnectAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO alert_changes (at, rule, host, state, summary, value, matches) VALUES (@At, @Rule, @Host, @State, @Summary, @Value, @Matches)
            RETURNING id
            """,
            new { At = change.At.ToUnixTimeMilliseconds(), change.Rule, change.Host, change.State, change.Summary, change.Value, change.Matches });
        return change with { Id = id };
    }

    /// <summary>Changes newest first, before id <paramref name="before"/> (paging), filtered; at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<AlertChange>> ChangesAsync(
        DateTimeOffset? from, DateTimeOffset? to, string? rule, string? state, long? before, int limit, CancellationToken cancellationToken)
    {
        if (history is null)
        {
            lock (_lock)
            {
                return _changes.AsEnumerable().Reverse()
                    .Where(c => (from is null || c.At >= from) && (to is null || c.At <= to) && (rule is null || c.Rule == rule)
                        && (state is null || c.State == state) && (before is null || c.Id < before))
                    .Take(limit).ToArray();
            }
        }

        await using var connection = await history.ConnectAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, long At, string Rule, string Host, string State, string Summary, double? Value, long Matches)>(
            """
            SELECT id, at, rule, host, state, summary, value, matches FROM alert_changes
            WHERE (@from IS NULL OR at >= @from) AND (@to IS NULL OR at <= @to) AND (@rule IS NULL OR rule = @rule)
                AND (@state IS NULL OR state = @state) AND (@before IS NULL OR id < @before)
            ORDER BY id DESC LIMIT @limit
            """,
            new { from = from?.ToUnixTimeMilliseconds(), to = to?.ToUnixTimeMilliseconds(), rule, state, before, limit });
        return rows.Select(r => new AlertChange(r.Id, r.Rule, r.State, r.Host, At(r.At), r.Summary, r.Value, r.Matches)).ToArray();
    }

    /// <summary>The silences not yet over.</summary>
    public async Task<IReadOnlyList<Silence>> SilencesAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (history is null)
        {
            lock (_lock)
            {
                return _silences.Values.Where(s => s.EndsAt > now).OrderBy(s => s.StartsAt).ToArray();
            }
        }

        await using var connection = await history.ConnectAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Id, string Rule, string? Host, long StartsAt, long EndsAt, string? CreatedBy)>(
            "SELECT id, rule, host, starts_at, ends_at, created_by FROM alert_silences WHERE ends_at > @now ORDER BY starts_at, id",
            new { now = now.ToUnixTimeMilliseconds() });
        return rows.Select(r => new Silence(r.Id, r.Rule, r.Host, At(r.StartsAt), At(r.EndsAt), r.CreatedBy)).ToArray();
    }

    public async Task AddSilenceAsync(Silence silence, CancellationToken cancellationToken)
    {
        if (history is null)
        {
            lock (_lock)
            {
                _silences[silence.Id] = silence;
            }

            return;
        }

        await using var connection = await history.ConnectAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO alert_silences (id, rule, host, starts_at, ends_at, created_by) VALUES (@Id, @Rule, @Host, @StartsAt, @EndsAt, @CreatedBy)",
            new { silence.Id, silence.Rule, silence.Host, StartsAt = silence.StartsAt.ToUnixTimeMilliseconds(), EndsAt = silence.EndsAt.ToUnixTimeMilliseconds(), silence.CreatedBy });
    }

    /// <summary>Ends a silence now; false when no live silence has this id.</summary>
    public async Task<bool> EndSilenceAsync(string id, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (history is null)
        {
            lock (_lock)
            {
                return _silences.TryGetValue(id, out var silence) && silence.EndsAt > now && _silences.Remove(id);
            }
        }

        await using var connection = await history.ConnectAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE alert_silences SET ends_at = @now WHERE id = @id AND ends_at > @now", new { id, now = now.ToUnixTimeMilliseconds() }) > 0;
    }

    private static DateTimeOffset At(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
}
