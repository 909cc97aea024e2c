using Microsoft.Win32.SafeHandles;

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

    // Files we finished after they were renamed away, by identity: a glob that later matches one goes on from there.
    private readonly Dictionary<FileIdentity, long> _finished = [];
    private readonly Queue<FileIdentity> _finishedOrder = new();
    private bool _started;

    public LogFollower(LogTailOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _patterns = options.EffectivePaths.Select(p => new PatternState(LogPathPattern.Parse(p))).ToArray();
        foreach (var state in _patterns.Where(s => !s.Pattern.IsGlob))
        {
            state.Tails.Add(new FileTail(this, state.Pattern.FullPath, inGlob: false, StartAt.LastLines));
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
        var output = new Output(publish, _options.MaxBatchLines, _timeProvider, cancellationToken);
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

    private async Task PollGlobAsync(PatternState state, bool initial, Output output)
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

                start = _finished.ContainsKey(id) ? StartAt.Resume(_finished[id]) : start;
            }

            var tail = new FileTail(this, path, inGlob: true, start);
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

    private void RememberFinished(FileIdentity id, long position)
    {
        if (_finished.TryAdd(id, position))
        {
            _finishedOrder.Enqueue(id);
            if (_finishedOrder.Count > 64)
            {
                _finished.Remove(_finishedOrder.Dequeue());
            }
        }
        else
        {
            _finished[id] = position;
        }
    }

    private enum StartKind
    {
        LastLines,
        End,
        Beginning,
        Resume,
    }

    private readonly record struct StartAt(StartKind Kind, long Position = 0)
    {
        public static StartAt LastLines => new(StartKind.LastLines);

        public static StartAt End => new(StartKind.End);

        public static StartAt Beginning => new(StartKind.Beginning);

        public static StartAt Resume(long position) => new(StartKind.Resume, position);
    }

    private sealed class PatternState(LogPathPattern pattern)
    {
        public LogPathPattern Pattern { get; } = pattern;

        public List<FileTail> Tails { get; } = [];

        public bool MissingReported { get; set; }
    }

    /// <summary>Collects lines into batches of at most MaxBatchLines and publishes them, markers in between, in order.</summary>
    private sealed class Output(Func<LogBatch, CancellationToken, ValueTask> publish, int maxLines, TimeProvider timeProvider, CancellationToken cancellationToken)
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

    /// <summary>One followed path: the open file, how far it is read, and the partial line held for its newline.</summary>
    private sealed class FileTail(LogFollower owner, string path, bool inGlob, StartAt start)
    {
        private readonly LineSplitter _splitter = new(owner._options.MaxLineBytes);
        private readonly List<LogLine> _lines = [];
        private SafeFileHandle? _handle;
        private long _position;
        private bool _missingReported;
        private string? _errorReported;
        private StartAt _start = start;

        public string Path { get; } = path;

        public FileIdentity? Identity { get; private set; }

        /// <summary>Reads what is new and reacts to rotation; false when a glob's file has gone for good.</summary>
        public async Task<bool> PollAsync(Output output)
        {
            if (_handle is null && !await OpenAsync(output))
            {
                return !inGlob || _errorReported is not null;
            }

            await ReadAvailableAsync(output);
            var now = FileIdentity.Supported ? FileIdentity.OfPath(Path) : Identity;
            if (now == Identity || Identity is null)
            {
                await output.FlushAsync();
                return true;
            }

            // The path names another file now, or none: finish the old one (its writer may still have added to it).
            await ReadAvailableAsync(output);
            FlushPartial(output);
            owner.RememberFinished(Identity.Value, _position);
            Close();
            _start = StartAt.Beginning;
            if (now is null)
            {
                if (inGlob)
                {
                    await output.FlushAsync();
                    return false;
                }

                _missingReported = true;
                await output.MarkerAsync(Path, LogKinds.Missing);
                return true;
            }

            await output.MarkerAsync(Path, LogKinds.Rotated);
            if (await OpenAsync(output))
            {
                await ReadAvailableAsync(output);
            }

            await output.FlushAsync();
            return true;
        }

        private async Task<bool> OpenAsync(Output output)
        {
            try
            {
                _handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                if (!inGlob && !_missingReported)
                {
                    _missingReported = true;
                    await output.MarkerAsync(Path, LogKinds.Missing);
                }

                // A file that appears later is read from its start.
                _start = StartAt.Beginning;
                return false;
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                if (ex.Message != _errorReported)
                {
                    _errorReported = ex.Message;
                    owner._logger.LogWarning(ex, "Cannot read log file {Path}", Path);
                    await output.MarkerAsync(Path, LogKinds.Error, $"Cannot read {Path}: {ex.Message}");
                }

                return false;
            }

            _missingReported = false;
            _errorReported = null;
            Identity = FileIdentity.Of(_handle);
            _splitter.Reset();
            var length = RandomAccess.GetLength(_handle);
            _position = _start.Kind switch
            {
                StartKind.LastLines => StartOfLastLines(length, owner._options.InitialLines),
                StartKind.End => StartOfLastLines(length, 0),
                StartKind.Resume when _start.Position <= length => _start.Position,
                _ => 0,
            };
            return true;
        }

        private async Task ReadAvailableAsync(Output output)
        {
            var handle = _handle!;
            var length = RandomAccess.GetLength(handle);
            if (length < _position)
            {
                // Copy-truncate or plain truncation: what was written from now on starts at offset 0.
                FlushPartial(output);
                await output.MarkerAsync(Path, LogKinds.Truncated);
                _position = 0;
            }

            var chunk = owner._chunk;
            while (_position < length)
            {
                var read = RandomAccess.Read(handle, chunk.AsSpan(0, (int)Math.Min(chunk.Length, length - _position)), _position);
                if (read == 0)
                {
                    break;
                }

                _position += read;
                _splitter.Split(chunk.AsSpan(0, read), _lines);
                output.Add(Path, _lines);
                _lines.Clear();
                if (output.Full)
                {
                    await output.FlushAsync();
                }
            }
        }

        private void FlushPartial(Output output)
        {
            if (_splitter.TryFlush(out var line))
            {
                output.Add(Path, line);
            }
        }

        private long StartOfLastLines(long length, int lines)
        {
            var chunk = owner._chunk;
            var newlines = 0;
            for (var end = length; end > 0;)
            {
                var size = (int)Math.Min(chunk.Length, end);
                var begin = end - size;
                RandomAccess.Read(_handle!, chunk.AsSpan(0, size), begin);
                for (var i = size - 1; i >= 0; i--)
                {
                    // The (lines+1)-th LF from the end closes the line before the ones to show.
                    if (chunk[i] == (byte)'\n' && ++newlines == lines + 1)
                    {
                        return begin + i + 1;
                    }
                }

                end = begin;
            }

            return 0;
        }

        private void Close()
        {
            _handle?.Dispose();
            _handle = null;
        }
    }
}
