namespace SseDashboard.Fleet;

/// <summary>
/// Whether this dashboard node can read the fleet store: while it cannot, it shows its own host only, under a banner.
/// The failure is logged once, and so is the recovery.
/// </summary>
public sealed class FleetStatus(TimeProvider timeProvider, ILogger<FleetStatus> logger)
{
    private readonly Lock _lock = new();

    /// <summary>Since when the store could not be read; null while it can.</summary>
    public DateTimeOffset? UnavailableSince { get; private set; }

    public bool Available => UnavailableSince is null;

    public void Connected()
    {
        lock (_lock)
        {
            if (UnavailableSince is { } since)
            {
                UnavailableSince = null;
                logger.LogInformation("The fleet store is back after {Down}; every host's events are read again", timeProvider.GetUtcNow() - since);
            }
        }
    }

    public void Failed(Exception error)
    {
        lock (_lock)
        {
            if (UnavailableSince is null)
            {
                UnavailableSince = timeProvider.GetUtcNow();
                logger.LogWarning("The fleet store is unavailable ({Error}); showing this host only until it returns", error.Message);
            }
        }
    }
}
