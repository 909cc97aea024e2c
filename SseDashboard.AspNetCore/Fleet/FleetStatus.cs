using SseDashboard.Streaming;

namespace SseDashboard.Fleet;

/// <summary>
/// Whether this dashboard node can read the fleet store: while it cannot, it shows its own host only, under a banner
/// (the <c>fleet</c> topic, published when it changes). The failure is logged once, and so is the recovery.
/// </summary>
public sealed class FleetStatus(EventHub hub, TimeProvider timeProvider, ILogger<FleetStatus> logger)
{
    private readonly Lock _lock = new();
    private bool _published;

    /// <summary>Since when the store could not be read; null while it can.</summary>
    public DateTimeOffset? UnavailableSince { get; private set; }

    public bool Available => UnavailableSince is null;

    public ValueTask ConnectedAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (UnavailableSince is { } since)
            {
                UnavailableSince = null;
                logger.LogInformation("The fleet store is back after {Down}; every host's events are read again", timeProvider.GetUtcNow() - since);
            }
            else if (_published)
            {
                return ValueTask.CompletedTask;
            }
        }

        return PublishAsync(cancellationToken);
    }

    public ValueTask FailedAsync(Exception error, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (UnavailableSince is not null)
            {
                return ValueTask.CompletedTask;
            }

            UnavailableSince = timeProvider.GetUtcNow();
            logger.LogWarning("The fleet store is unavailable ({Error}); showing this host only until it returns", error.Message);
        }

        return PublishAsync(cancellationToken);
    }

    // Called by the reader only, one call at a time: each change reaches the hub in the order it happened.
    private async ValueTask PublishAsync(CancellationToken cancellationToken)
    {
        _published = true;
        var since = UnavailableSince;
        await hub.PublishUnnumberedAsync(
            [FleetTopics.Fleet.With(new FleetState(timeProvider.GetUtcNow(), since is null, since))], cancellationToken);
    }
}
