namespace SseDashboard.Producers;

/// <summary>
/// A periodic timer whose ticks fall on whole multiples of the interval on the UTC clock, the way Netdata collects on
/// whole seconds: a 1 s clock changes on the second, as a wall clock does. A tick missed entirely is skipped, as with
/// <see cref="PeriodicTimer"/>.
/// </summary>
/// <param name="minFirstWait">A first boundary nearer than this is skipped (a sample a few ms after the previous one measures nothing).</param>
public sealed class AlignedTimer(TimeSpan interval, TimeProvider timeProvider, TimeSpan minFirstWait = default)
{
    private DateTimeOffset _next = FirstBoundary(timeProvider.GetUtcNow(), interval, minFirstWait);

    private static DateTimeOffset FirstBoundary(DateTimeOffset now, TimeSpan interval, TimeSpan minFirstWait)
    {
        var next = NextBoundary(now, interval);
        return next - now < minFirstWait ? next + interval : next;
    }

    /// <summary>The first whole multiple of <paramref name="interval"/> (since 0001-01-01 UTC) after <paramref name="now"/>.</summary>
    public static DateTimeOffset NextBoundary(DateTimeOffset now, TimeSpan interval)
    {
        var ticks = now.UtcTicks;
        return new DateTimeOffset(ticks - ticks % interval.Ticks + interval.Ticks, TimeSpan.Zero);
    }

    /// <summary>Waits for the next boundary; throws <see cref="OperationCanceledException"/> when cancelled.</summary>
    public async ValueTask WaitForNextTickAsync(CancellationToken cancellationToken)
    {
        // A timer may fire a little early: wait out the rest so the tick is never before its boundary.
        for (var now = timeProvider.GetUtcNow(); now < _next; now = timeProvider.GetUtcNow())
        {
            if (_next - now > interval)
            {
                // The wall clock was set back: the next boundary is the one after the new time, not hours away.
                _next = NextBoundary(now, interval);
            }

            await Task.Delay(_next - now, timeProvider, cancellationToken);
        }

        _next = NextBoundary(timeProvider.GetUtcNow(), interval);
    }
}
