namespace SseDashboard.LogTail;

/// <summary>
/// Follows files and globs with <c>tail -F</c> semantics and hands out batches of lines and markers, in order. It knows
/// nothing of the hub: <see cref="RunAsync"/> polls on its own loop, tests can step it with <see cref="PollAsync"/>.
/// Written by hand because no well-kept .NET library follows files through rotation and truncation.
/// </summary>
public sealed class LogFollower
{
    private const int ChunkBytes = 64 * 1024;

    private readonly LogTailOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly PatternState[] _patterns;
    private readonly byte[] _chunk = new byte[ChunkBytes];
    private readonly FinishedFiles _finished = new();
    private bool _started;

    public LogFollower(LogTailOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _patterns = options.EffectivePaths.Select(p => new PatternState(LogPathPattern.Parse(p))).ToArray();
        foreach (var state in _patterns.Where(s => !s.Pattern.IsGlob))
        {
            state.Tails.Add(NewTail(state.Pattern.FullPath, inGlob: false, StartAt.LastLines));
        }
    }

    public async Task RunAsync(Func<LogBatch, CancellationToken, ValueTask> publish, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.PollInterval, _timeProvider);
        do
        {
            await PollAsync(publish, cancellationToken);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>One look at every path: new bytes, rotation, truncation, files appearing or going.</summary>
    public async Task PollAsync(Func<LogBatch, CancellationToken, ValueTask> publish, CancellationToken cancellationToken)
    {
        var output = new LogBatcher(publish, _options.MaxBatchLines, _timeProvider, cancellationToken);
        var initial = !_started;
        _started = true;
        foreach (var state in _patterns)
        {
            if (state.Pattern.IsGlob)
            {
                await PollGlobAsync(state, initial, output);
            }
            else
            {
                await state.Tails[0].PollAsync(output);
            }
        }
    }

    private async Task PollGlobAsync(PatternState state, bool initial, LogBatcher output)
    {
        foreach (var tail in state.Tails.ToArray())
        {
            if (!await tail.PollAsync(output))
            {
                state.Tails.Remove(tail);
            }
        }

        var followed = state.Tails.Select(t => t.Path).ToHashSet(StringComparer.Ordinal);
        var found = state.Pattern.Match().Where(f => !followed.Contains(f)).ToList();

        // At start the newest file gives the initial lines and the others are followed from their end. Files that
        // appear later are read from their start, oldest first, so their lines come out in the order written.
        // Each file's time is read once (a late file may still be written to); equal times go by name.
        var byAge = found.Select(f => (Path: f, Written: File.GetLastWriteTimeUtc(f))).OrderBy(f => f.Written).ThenBy(f => f.Path, StringComparer.Ordinal).ToList();
        if (initial)
        {
            byAge.Reverse();
        }

        found = byAge.Select(f => f.Path).ToList();

        // A new file beside ones already followed is the glob rolling over; the first file after none just ends "missing".
        var rolling = state.Tails.Count > 0;
        for (var i = 0; i < found.Count; i++)
        {
            var path = found[i];
            var start = initial ? (i == 0 ? StartAt.LastLines : StartAt.End) : StartAt.Beginning;
            if (!initial && FileIdentity.OfPath(path) is { } id)
            {
                if (state.Tails.Any(t => t.Identity == id))
                {
                    continue; // a second name for a file we follow: the rename shows up as rotation on the next look
                }

                start = _finished.TryGetPosition(id, out var position) ? StartAt.Resume(position) : start;
            }

            var tail = NewTail(path, inGlob: true, start);
            state.Tails.Add(tail);
            if (start.Kind == StartKind.Beginning && rolling)
            {
                await output.MarkerAsync(path, LogKinds.Rotated);
            }

            if (!await tail.PollAsync(output))
            {
                state.Tails.Remove(tail);
            }
        }

        if (state.Tails.Count > 0)
        {
            state.MissingReported = false;
        }
        else if (!state.MissingReported)
        {
            state.MissingReported = true;
            await output.MarkerAsync(state.Pattern.FullPath, LogKinds.Missing);
        }
    }

    private FileTail NewTail(string path, bool inGlob, StartAt start) =>
        new(path, inGlob, start, _options.InitialLines, _options.MaxLineBytes, _chunk, _finished, _logger);

    private sealed class PatternState(LogPathPattern pattern)
    {
        public LogPathPattern Pattern { get; } = pattern;

        public List<FileTail> Tails { get; } = [];

        public bool MissingReported { get; set; }
    }
}
