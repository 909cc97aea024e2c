using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SseDashboard.Streaming;

/// <summary>Healthy while the hub accepts subscribers; reports connections and the newest event id.</summary>
public sealed class StreamingHealthCheck(EventHub hub) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["subscribers"] = hub.SubscriberCount,
            ["lastEventId"] = hub.LastEventId,
        };
        return Task.FromResult(HealthCheckResult.Healthy("Hub running.", data));
    }
}
