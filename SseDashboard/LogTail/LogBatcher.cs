namespace SseDashboard.LogTail;

/// <summary>Collects lines into batches of at most MaxBatchLines and publishes them, markers in between, in order.</summary>
internal sealed class LogBatcher(Func<LogBatch, CancellationToken, ValueTask> publish, int maxLines, TimeProvider timeProvider, CancellationToken cancellationToken)
{
    private readonly List<LogLine> _lines = [];
    private string? _file;

    public void Add(string file, LogLine line)
    {
        _file = file;
        _lines.Add(line);
    }

    public void Add(string file, IReadOnlyCollection<LogLine> lines)
    {
        if (lines.Count > 0)
        {
            _file = file;
            _lines.AddRange(lines);
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
            await publish(new LogBatch(timeProvider.GetUtcNow(), _file, LogKinds.Lines, batch), cancellationToken);
        }
    }

    public async ValueTask MarkerAsync(string file, string kind, string? error = null)
    {
        await FlushAsync();
        await publish(new LogBatch(timeProvider.GetUtcNow(), file, kind, [], error), cancellationToken);
    }
}
