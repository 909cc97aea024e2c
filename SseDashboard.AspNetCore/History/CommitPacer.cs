namespace SseDashboard.History;

/// <summary>
/// Spaces a writer's commits at least <c>Dashboard:Store:CommitInterval</c> apart, so a fleet's writers commit a few
/// times a second whatever their rate; after a batch that filled up, the next goes at once.
/// </summary>
internal sealed class CommitPacer(TimeSpan interval, TimeProvider timeProvider)
{
    private long _last;

    /// <summary>The least time between two writes.</summary>
    public TimeSpan Interval => interval;

    /// <summary>Waits until the next write may start (at once when stopping), and marks it started.</summary>
    public async Task WaitAsync(bool lastWasFull, CancellationToken stopping)
    {
        if (!lastWasFull && _last != 0 && timeProvider.GetElapsedTime(_last) is var since && since < interval)
        {
            try
            {
                await Task.Delay(interval - since, timeProvider, stopping);
            }
            catch (OperationCanceledException)
            {
                // Stopping: what is queued is written now.
            }
        }

        _last = timeProvider.GetTimestamp();
    }
}
