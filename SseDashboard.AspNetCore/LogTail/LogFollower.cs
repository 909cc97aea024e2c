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
    private readonly PathWatcher[] _paths;
    private readonly LineRateLimit _limit;
    private readonly LogRedactor _redactor;
    private bool _started;

    /// <param name="knownPositions">Where files seen by an earlier run were read to (see <see cref="IFilePositions"/>).</param>
    public LogFollower(
        LogTailOptions options,
        LogRedactor redactor,
        TimeProvider timeProvider,
        ILogger logger,
        IReadOnlyDictionary<FileIdentity, long>? knownPositions = null)
    {
        var known = knownPositions ?? new Dictionary<FileIdentity, long>();
        _options = options;
        _redactor = redactor;
        _timeProvider = timeProvider;
        _limit = new LineRateLimit(options.MaxLinesPerSecond, timeProvider);
        var chunk = new byte[ChunkBytes];
        var finished = new FinishedFiles();
        NewTail newTail = (path, inGlob, start) =>
            new FileTail(path, inGlob, start, known, options.InitialLines, options.MaxLineBytes, chunk, finished, options.Multiline, timeProvider, logger);
        _paths = options.EffectivePaths.Select(p => new PathWatcher(LogPathPattern.Parse(p), newTail, finished)).ToArray();
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
        var initial = !_started;
        _started = true;
        var output = new LogBatcher(publish, _options.MaxBatchLines, _limit, _redactor, unlimited: initial, _timeProvider, cancellationToken);
        try
        {
            foreach (var path in _paths)
            {
                await path.PollAsync(initial, output);
            }

            await output.ReportSkippedAsync();
        }
        catch
        {
            output.Abandon();
            throw;
        }
    }
}
