using Npgsql;
using SseDashboard.History;
using SseDashboard.Streaming;

namespace SseDashboard.Fleet;

/// <summary>
/// A dashboard node's view of the fleet: listens for the store's notifications and, woken, reads every host's events
/// after the newest it has published, in id order, into the hub. No polling: a read when notified, one soon after a
/// read that a running transaction held back, and one after a quiet <see cref="QuietRead"/> in case a notification was
/// lost with a connection.
/// </summary>
public sealed class FleetReader(
    EventHub hub,
    PostgresHistoryStore store,
    FleetStatus status,
    TimeProvider timeProvider,
    IEnumerable<IPayloadRestorer> restorers,
    ILogger<FleetReader> logger) : BackgroundService
{
    /// <summary>Rows of each table read at once; more than any one event has (a log batch's lines), so a read always moves on.</summary>
    public const int MaxRowsPerRead = 20_000;

    private static readonly TimeSpan QuietRead = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(25);

    // Rows committed behind a transaction still running are read again this soon: what holds them back may end
    // without notifying (retention, alerts, another database's work).
    private static readonly TimeSpan HeldBackRead = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly DateTimeOffset _startedAt = timeProvider.GetUtcNow();
    private long _position = -1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(store.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresHistoryStore.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Listening before reading: whatever commits from here on wakes the wait below.
                while (true)
                {
                    var heldBack = await CatchUpAsync(stoppingToken);
                    await status.ConnectedAsync(stoppingToken);
                    backoff = TimeSpan.FromSeconds(1);
                    if (await connection.WaitAsync(heldBack ? HeldBackRead : QuietRead, stoppingToken))
                    {
                        // Writes that commit close together make one read: what they notify within Coalesce is taken
                        // with the first (a fleet of 50 agents notifies hundreds of times a second). The taking is
                        // bounded too: with notifications always arriving (200 agents) it would never end, and the
                        // read that follows takes everything committed anyway.
                        var woken = timeProvider.GetTimestamp();
                        await Task.Delay(Coalesce, timeProvider, stoppingToken);
                        while (timeProvider.GetElapsedTime(woken) < 2 * Coalesce && await connection.WaitAsync(TimeSpan.FromMilliseconds(1), stoppingToken))
                        {
                        }
                    }
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                await status.FailedAsync(ex, stoppingToken);
                logger.LogDebug(ex, "Reading the fleet store failed; retrying in {Backoff}", backoff);
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

    // Whether rows were left behind a running transaction.
    private async Task<bool> CatchUpAsync(CancellationToken cancellationToken)
    {
        if (_position < 0)
        {
            // From the hub's newest; when the store could not be read as the hub started, from the first event that
            // was stored since (by agents coming back with what they held, or by this node).
            if (hub.LastEventId > 0)
            {
                _position = hub.LastEventId;
            }
            else
            {
                // What came before is not this hub's to give: a resume from before it goes to the store.
                _position = await store.IdBeforeAsync(_startedAt, cancellationToken);
                await hub.LoseAsync(_position, cancellationToken);
            }
        }

        while (true)
        {
            var (samples, lines, upTo, newest, trimmedUpTo, heldBack) = await store.ReadAfterAsync(_position, MaxRowsPerRead, cancellationToken);
            if (trimmedUpTo > _position)
            {
                await hub.LoseAsync(trimmedUpTo, cancellationToken);
            }

            var events = new List<(Publication, long)>(samples.Count + lines.Count);
            foreach (var sample in samples)
            {
                if (hub.TryGetTopic(sample.Topic, out var topic))
                {
                    var payload = restorers.Aggregate(topic.DeserializeJson(sample.Payload), (p, restorer) => restorer.Restore(topic, p));
                    events.Add((new Publication(topic, payload), sample.Id));
                }
            }

            events.AddRange(LogRows.ToEvents(lines).Select(e => (LogTail.LogTailTopics.Log.With((LogTail.LogBatch)e.Payload), e.Id)));
            events.Sort(static (a, b) => a.Item2.CompareTo(b.Item2));
            if (events.Count > 0)
            {
                await hub.PublishStoredAsync(events, cancellationToken);
            }

            _position = upTo;
            if (upTo >= newest)
            {
                return heldBack;
            }
        }
    }
}
