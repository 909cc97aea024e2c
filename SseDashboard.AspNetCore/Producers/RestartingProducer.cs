using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SseDashboard.Producers;

/// <summary>How long a faulted producer waits before it restarts: doubling from <paramref name="Initial"/> up to <paramref name="Max"/>.</summary>
public sealed record RestartPolicy(TimeSpan Initial, TimeSpan Max)
{
    public static RestartPolicy Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
}

/// <summary>
/// A background producer whose loop, when it throws, is logged, shows its fault (an error state on its panel) and runs
/// again after an exponential backoff; the app and the other producers carry on.
/// </summary>
public abstract class RestartingProducer(string name, RestartPolicy policy, TimeProvider timeProvider, ILogger logger) : BackgroundService
{
    protected TimeProvider TimeProvider => timeProvider;

    /// <summary>The producer's loop: returns when it is done (or stopping), throws when it faults.</summary>
    protected abstract Task RunAsync(CancellationToken stoppingToken);

    /// <summary>Publishes the producer's error state for <paramref name="fault"/>.</summary>
    protected abstract ValueTask ShowFaultAsync(Exception fault, CancellationToken stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = policy.Initial;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = timeProvider.GetTimestamp();
            try
            {
                await RunAsync(stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A run that lasted longer than the longest backoff was healthy: start the backoff again from the bottom.
                if (timeProvider.GetElapsedTime(started) > policy.Max)
                {
                    delay = policy.Initial;
                }

                logger.LogError(ex, "Producer {Producer} failed; restarting in {Delay}", name, delay);
                try
                {
                    await ShowFaultAsync(ex, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception showError)
                {
                    logger.LogError(showError, "Producer {Producer} could not publish its error state", name);
                }

                try
                {
                    await Task.Delay(delay, timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, policy.Max.Ticks));
            }
        }
    }
}

public static class ProducerExtensions
{
    /// <summary>What every producer shares: the restart policy (a host or a test may register its own first).</summary>
    public static IServiceCollection AddProducerDefaults(this IServiceCollection services)
    {
        services.TryAddSingleton(RestartPolicy.Default);
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
