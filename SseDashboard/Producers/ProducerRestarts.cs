namespace SseDashboard.Producers;

/// <summary>How long a faulted producer waits before it restarts: doubling from <paramref name="Initial"/> up to <paramref name="Max"/>.</summary>
public sealed record RestartPolicy(TimeSpan Initial, TimeSpan Max)
{
    public static RestartPolicy Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
}

/// <summary>Runs a producer's loop; when it throws, logs, shows the fault and runs it again after an exponential backoff.</summary>
public static class ProducerRestarts
{
    public static async Task RunAsync(
        string producer,
        Func<CancellationToken, Task> run,
        Func<Exception, CancellationToken, ValueTask> showFault,
        RestartPolicy policy,
        ILogger logger,
        TimeProvider timeProvider,
        CancellationToken stoppingToken)
    {
        var delay = policy.Initial;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = timeProvider.GetTimestamp();
            try
            {
                await run(stoppingToken);
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

                logger.LogError(ex, "Producer {Producer} failed; restarting in {Delay}", producer, delay);
                try
                {
                    await showFault(ex, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception showError)
                {
                    logger.LogError(showError, "Producer {Producer} could not publish its error state", producer);
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
