namespace SseDashboard.LogTail;

/// <summary>
/// Collects lines into batches of at most MaxBatchLines and publishes them, markers in between, in order. Lines over
/// the rate limit are left out and reported as a <c>skipped</c> marker instead.
/// </summary>
/// <param name="unlimited">The first look (the initial lines): a bounded read, not a flood, so not rate-limited.</param>
internal sealed class LogBatcher(
    Func<LogBatch, CancellationToken, ValueTask> publish,
    int maxLines,
    LineRateLimit limit,
    bool unlimited,
    TimeProvider timeProvider,
    CancellationToken cancellationToken)
{
    private readonly List<LogLine> _lines = [];
    private string? _file;

    public void Add(string file, LogLine line) => Add(file, [line]);

    public void Add(string file, IReadOnlyList<LogLine> lines)
    {
        var admitted = unlimited ? lines.Count : lines.Count == 0 ? 0 : limit.Admit(file, lines.Count);
        if (admitted > 0)
        {
            _file = file;
            _lines.AddRange(admitted == lines.Count ? lines : lines.Take(admitted));
        }
    }

    /// <summary>Publishes what the rate limit left out since the last report, at most once a second.</summary>
    public async ValueTask ReportSkippedAsync()
    {
        foreach (var (file, skipped) in limit.TakeReport())
        {
            await FlushAsync();
            try
            {
                await publish(new LogBatch(timeProvider.GetUtcNow(), file, LogKinds.Skipped, []) { Skipped = skipped }, cancellationToken);
            }
            catch
            {
                limit.Unpublished(file, skipped); // reported with the next marker instead
                throw;
            }
        }
    }

    public bool Full => _lines.Count >= maxLines;

    public async ValueTask FlushAsync()
    {
        while (_lines.Count > 0)
        {
            var count = Math.Min(maxLines, _lines.Count);
            var batch = _lines.GetRange(0, count);
            _lines.RemoveRange(0, count);
            try
            {
                await publish(new LogBatch(timeProvider.GetUtcNow(), _file, LogKinds.Lines, batch), cancellationToken);
            }
            catch
            {
                // Not retried (a failure that repeats would stall the panel), but counted: delivered + skipped = written.
                Abandon(count);
                throw;
            }
        }
    }

    public async ValueTask MarkerAsync(string file, string kind, string? error = null)
    {
        await FlushAsync();
        await publish(new LogBatch(timeProvider.GetUtcNow(), file, kind, [], error), cancellationToken);
    }

    /// <summary>Counts the lines still waiting (and <paramref name="alsoLost"/> more) as skipped: the look failed before they went out.</summary>
    public void Abandon(int alsoLost = 0)
    {
        if (_file is not null)
        {
            limit.Unpublished(_file, _lines.Count + alsoLost);
        }

        _lines.Clear();
    }
}
