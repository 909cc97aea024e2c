using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SseDashboard.History;

/// <summary>
/// How the history store is doing, for <c>/healthz</c> and the <c>server</c> panel: failing (since when, why), and how
/// many events could not be stored. A failure is logged once, its recovery once.
/// </summary>
public sealed class HistoryStatus(StoreProvider provider, TimeProvider timeProvider, ILogger<HistoryStatus> logger)
{
    private readonly Lock _lock = new();
    private long _dropped;

    public StoreProvider Provider { get; } = provider;

    /// <summary>Why the store is failing, while it is; null when it works.</summary>
    public string? Error { get; private set; }

    public DateTimeOffset? FailingSince { get; private set; }

    /// <summary>Events left unstored since start: the store was failing or too slow and its queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Failed(string action, Exception ex)
    {
        lock (_lock)
        {
            if (Error is null)
            {
                FailingSince = timeProvider.GetUtcNow();
                logger.LogError(ex, "The {Provider} history store failed to {Action}; live streaming goes on, storing is retried", Provider, action);
            }

            Error = $"{action}: {ex.Message}";
        }
    }

    public void Succeeded()
    {
        lock (_lock)
        {
            if (Error is not null)
            {
                logger.LogInformation("The {Provider} history store works again (it failed from {Since:O})", Provider, FailingSince);
                Error = null;
                FailingSince = null;
            }
        }
    }

    /// <summary>Counts events that were not stored; logged the first time.</summary>
    public void Drop(int events)
    {
        if (Interlocked.Add(ref _dropped, events) == events)
        {
            logger.LogWarning("The {Provider} history store is behind: events are being left unstored (live streaming goes on)", Provider);
        }
    }
}

/// <summary>Degraded while the store fails or has dropped events; never Unhealthy (live streaming goes on).</summary>
public sealed class HistoryHealthCheck(HistoryStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["provider"] = status.Provider.ToString(), ["dropped"] = status.Dropped };
        var result = status.Error is { } error
            ? HealthCheckResult.Degraded($"History store failing since {status.FailingSince:O}: {error}", data: data)
            : HealthCheckResult.Healthy("History store working.", data);
        return Task.FromResult(result);
    }
}
