namespace SseDashboard.Bench.Measurement;

/// <summary>
/// A lock-free log-linear histogram of microseconds (1 µs steps below 1 ms, then 128 steps per power of two, so
/// under 1 % error), recorded from every reader thread at once.
/// </summary>
internal sealed class Histogram
{
    private const int LinearLimit = 1024;
    private const int SubBuckets = 128;
    private readonly long[] _counts = new long[LinearLimit + (54 * SubBuckets)];
    private long _count;
    private long _max;

    public long Count => Interlocked.Read(ref _count);

    public void Record(long micros)
    {
        micros = Math.Max(0, micros);
        Interlocked.Increment(ref _counts[Index(micros)]);
        Interlocked.Increment(ref _count);
        long max;
        while (micros > (max = Interlocked.Read(ref _max)) && Interlocked.CompareExchange(ref _max, micros, max) != max)
        {
        }
    }

    public double MaxMilliseconds => Interlocked.Read(ref _max) / 1000.0;

    /// <summary>The value at or below which <paramref name="percentile"/> % of the recordings lie, in ms.</summary>
    public double PercentileMilliseconds(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(total * percentile / 100.0);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= Math.Max(1, rank))
            {
                return Math.Min(UpperBound(i), Interlocked.Read(ref _max)) / 1000.0;
            }
        }

        return MaxMilliseconds;
    }

    internal static int Index(long micros)
    {
        if (micros < LinearLimit)
        {
            return (int)micros;
        }

        var exponent = 63 - (int)long.LeadingZeroCount(micros);
        var sub = (int)((micros >> (exponent - 7)) & (SubBuckets - 1));
        return LinearLimit + ((exponent - 10) * SubBuckets) + sub;
    }

    internal static long UpperBound(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        var exponent = ((index - LinearLimit) / SubBuckets) + 10;
        var sub = (index - LinearLimit) % SubBuckets;
        return ((SubBuckets + sub + 1L) << (exponent - 7)) - 1;
    }
}
