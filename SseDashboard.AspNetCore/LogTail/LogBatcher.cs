namespace SseDashboard.LogTail;

/// <summary>
/// Collects lines into batches of at most MaxBatchLines and publishes them, markers in between, in order. Lines over
/// the rate limit are left out and reported as a <c>skipped</c> marker instead; the lines let in are redacted.
/// </summary>
/// <param name="unlimited">The first look (the initial lines): a bounded read, not a flood, so not rate-limited.</param>
internal sealed class LogBatcher(
    Func<LogBatch, CancellationToken, ValueTask> publish,
    int maxLines,
    LineRateLimit limit,
    LogRedactor redactor,
    bool unlimited,
    TimeProvider timeProvider,
    CancellationToken cancellationToken)
{
    private readonly List<LogLine> _lines = [];
    private readonly Dictionary<FileIdentity, FilePosition> _positions = [];
    private string? _file;

    public void Add(string file, LogLine line) => Add(file, [line]);

    /// <summary>Adds lines of <paramref name="file"/>; <paramref name="position"/> is where it is read to after them.</summary>
    public void Add(string file, IReadOnlyList<LogLine> lines, FilePosition? position = null)
    {
        if (position is not null)
        {
            _positions[position.Identity] = position;
        }

        var admitted = unlimited ? lines.Count : lines.Count == 0 ? 0 : limit.Admit(file, lines.Count);
        if (admitted > 0)
        {
            _file = file;
            for (var i = 0; i < admitted; i++)
            {
                _lines.Add(redactor.Redact(lines[i]));
            }
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
                await publish(new LogBatch(timeProvider.GetUtcNow(), file, LogKinds.Skipped, []) { Skipped = skipped, Positions = TakePositions() }, cancellationToken);
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
            // The positions go with the last batch: they are stored only once every line before them is.
            var positions = count == _lines.Count ? TakePositions() : [];
            // Taken off only once published: a batch whose publish fails is still pending when the look is abandoned.
            await publish(new LogBatch(timeProvider.GetUtcNow(), _file, LogKinds.Lines, _lines.GetRange(0, count)) { Positions = positions }, cancellationToken);
            _lines.RemoveRange(0, count);
        }
    }

    public async ValueTask MarkerAsync(string file, string kind, string? error = null)
    {
        await FlushAsync();
        await publish(new LogBatch(timeProvider.GetUtcNow(), file, kind, [], error) { Positions = TakePositions() }, cancellationToken);
    }

    private FilePosition[] TakePositions()
    {
        if (_positions.Count == 0)
        {
            return [];
        }

        var positions = _positions.Values.ToArray();
        _positions.Clear();
        return positions;
    }

    /// <summary>
    /// Counts the lines still waiting as skipped: the look failed (a publish or a read) before they went out. They are
    /// not retried, since a failure that repeats would stall the panel, but delivered + skipped still equals written.
    /// </summary>
    public void Abandon()
    {
        if (_file is not null)
        {
            limit.Unpublished(_file, _lines.Count);
        }

        _lines.Clear();
    }
}
