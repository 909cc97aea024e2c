using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace SseDashboard.Streaming;

/// <summary>
/// Healthy while events flow: a hub silent for longer than <see cref="StreamingHealthOptions.MaxSilence"/> means the
/// pipeline is stuck. Reports connections and the newest event id.
/// </summary>
public sealed class StreamingHealthCheck(EventHub hub, IOptions<StreamingHealthOptions> options, TimeProvider timeProvider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["subscribers"] = hub.SubscriberCount,
            ["lastEventId"] = hub.LastEventId,
        };
        var silence = timeProvider.GetUtcNow() - hub.LastPublishedAt;

        var result = hub.IsCompleted ? HealthCheckResult.Unhealthy("Shutting down.", data: data)
            : silence is null ? HealthCheckResult.Degraded("Nothing published yet.", data: data)
            : silence > options.Value.MaxSilence ? HealthCheckResult.Unhealthy($"Nothing published for {silence.Value:g}.", data: data)
            : HealthCheckResult.Healthy("Events flowing.", data);
        return Task.FromResult(result);
    }
}
