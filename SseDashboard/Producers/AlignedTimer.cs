namespace SseDashboard.Producers;

/// <summary>
/// A periodic timer whose ticks fall on whole multiples of the interval on the UTC clock (plus a fixed offset), the
/// way Netdata collects on whole seconds: a 1 s clock changes on the second, as a wall clock does. A tick missed
/// entirely is skipped, as with <see cref="PeriodicTimer"/>.
/// </summary>
public sealed class AlignedTimer(TimeSpan interval, TimeProvider timeProvider, TimeSpan offset = default)
{
    private DateTimeOffset _next = NextBoundary(timeProvider.GetUtcNow(), interval, offset);

    /// <summary>
    /// The first whole multiple of <paramref name="interval"/> (since 0001-01-01 UTC), plus <paramref name="offset"/>,
    /// after <paramref name="now"/>.
    /// </summary>
    public static DateTimeOffset NextBoundary(DateTimeOffset now, TimeSpan interval, TimeSpan offset = default)
    {
        var ticks = now.UtcTicks - offset.Ticks;
        return new DateTimeOffset(ticks - ticks % interval.Ticks + interval.Ticks + offset.Ticks, TimeSpan.Zero);
    }

    /// <summary>Waits for the next boundary; throws <see cref="OperationCanceledException"/> when cancelled.</summary>
    public async ValueTask WaitForNextTickAsync(CancellationToken cancellationToken)
    {
        // A timer may fire a little early: wait out the rest so the tick is never before its boundary.
        for (var now = timeProvider.GetUtcNow(); now < _next; now = timeProvider.GetUtcNow())
        {
            await Task.Delay(_next - now, timeProvider, cancellationToken);
        }

        _next = NextBoundary(timeProvider.GetUtcNow(), interval, offset);
    }
}
