namespace SseDashboard.LogTail;

/// <summary>
/// At most <paramref name="perSecond"/> lines a second across every followed file; what is over is counted per file,
/// to be reported rather than published. Written by hand because a line needs a partial grant (the first k of n), which
/// <c>System.Threading.RateLimiting</c>'s all-or-nothing <c>AttemptAcquire(n)</c> does not give.
/// </summary>
internal sealed class LineRateLimit(int perSecond, TimeProvider timeProvider)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, long> _skipped = new(StringComparer.Ordinal);
    private long _windowStart = timeProvider.GetTimestamp();
    private long? _lastReport;
    private int _taken;

    /// <summary>How many of <paramref name="lines"/> new lines of <paramref name="file"/> may be published now; the rest are counted as skipped.</summary>
    public int Admit(string file, int lines)
    {
        if (timeProvider.GetElapsedTime(_windowStart) >= Window)
        {
            _windowStart = timeProvider.GetTimestamp();
            _taken = 0;
        }

        var admitted = Math.Min(lines, perSecond - _taken);
        _taken += admitted;
        if (admitted < lines)
        {
            _skipped[file] = _skipped.GetValueOrDefault(file) + lines - admitted;
        }

        return admitted;
    }

    /// <summary>Counts lines that were admitted but could not be published (a publish or a read failed) as skipped.</summary>
    public void Unpublished(string file, long lines)
    {
        if (lines > 0)
        {
            _skipped[file] = _skipped.GetValueOrDefault(file) + lines;
        }
    }

    /// <summary>The skipped counts per file to report now, at most once a second; each is reported once.</summary>
    public IReadOnlyList<(string File, long Skipped)> TakeReport()
    {
        if (_skipped.Count == 0 || (_lastReport is { } last && timeProvider.GetElapsedTime(last) < Window))
        {
            return [];
        }

        _lastReport = timeProvider.GetTimestamp();
        var report = _skipped.Select(kv => (kv.Key, kv.Value)).ToList();
        _skipped.Clear();
        return report;
    }
}
