using Microsoft.Win32.SafeHandles;

namespace SseDashboard.LogTail;

/// <summary>
/// One followed path: the open file, how far it is read, the partial line held for its newline, and the entry still
/// open for its continuation lines (<see cref="MultilineEntries"/>).
/// </summary>
/// <param name="inGlob">A glob's file is dropped when it goes; a configured path is waited for, marked missing.</param>
/// <param name="chunk">The read buffer, shared by the tails of one follower (they are polled one at a time).</param>
/// <param name="finished">Told where a file renamed away was finished, so a glob that matches it goes on from there.</param>
internal sealed class FileTail(
    string path,
    bool inGlob,
    StartAt start,
    IReadOnlyDictionary<FileIdentity, long> knownPositions,
    int initialLines,
    int maxLineBytes,
    byte[] chunk,
    FinishedFiles finished,
    MultilineOptions multiline,
    TimeProvider timeProvider,
    ILogger logger)
{
    private readonly LineSplitter _splitter = new(maxLineBytes);
    private readonly MultilineEntries _entries = new(multiline, multiline.StartPatternFor(path), timeProvider);
    private readonly List<LogLine> _lines = [];
    private readonly List<int> _ends = [];
    private readonly List<LogLine> _done = [];
    private SafeFileHandle? _handle;
    private long _position;
    private long _lineEnd;
    private long _nextLine;
    private bool _missingReported;
    private string? _errorReported;
    private StartAt _start = start;

    public string Path { get; } = path;

    public FileIdentity? Identity { get; private set; }

    /// <summary>Reads what is new and reacts to rotation; false when a glob's file has gone for good.</summary>
    public async Task<bool> PollAsync(LogBatcher output)
    {
        if (_handle is null && !await OpenAsync(output))
        {
            return !inGlob || _errorReported is not null;
        }

        await ReadAvailableAsync(output);
        var now = FileIdentity.Supported ? FileIdentity.OfPath(Path) : Identity;
        if (now == Identity || Identity is null)
        {
            PublishIfQuiet(output);
            await output.FlushAsync();
            return true;
        }

        // The path names another file now, or none: finish the old one (its writer may still have added to it).
        await ReadAvailableAsync(output);
        FlushPartial(output);
        finished.Remember(Identity.Value, _position);
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
            PublishIfQuiet(output);
        }

        await output.FlushAsync();
        return true;
    }

    private async Task<bool> OpenAsync(LogBatcher output)
    {
        try
        {
            // Once missing, looked for ten times a second without an exception each time; the first look opens, so
            // a path it cannot reach (a directory without permission) is reported as such, not as missing.
            _handle = _missingReported && !System.IO.Path.Exists(Path)
                ? null
                : File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Not there at the first look (which opens without asking), or gone between a look and the open: missing.
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            if (ex.Message != _errorReported)
            {
                _errorReported = ex.Message;
                logger.LogWarning(ex, "Cannot read log file {Path}", Path);
                await output.MarkerAsync(Path, LogKinds.Error, $"Cannot read {Path}: {ex.Message}");
            }

            return false;
        }

        if (_handle is null)
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

        _missingReported = false;
        _errorReported = null;
        Identity = FileIdentity.Of(_handle);
        if (_start.Kind is StartKind.LastLines or StartKind.End && Identity is { } identity && knownPositions.TryGetValue(identity, out var known))
        {
            // Seen by an earlier run: go on where it stopped, so lines written meanwhile come out once.
            _start = StartAt.Resume(known);
        }

        _splitter.Reset();
        _entries.Reset();
        var length = RandomAccess.GetLength(_handle);
        _position = _start.Kind switch
        {
            StartKind.LastLines => StartOfLastLines(length, initialLines),
            StartKind.End => StartOfLastLines(length, 0),
            StartKind.Resume when _start.Position <= length => _start.Position,
            _ => 0,
        };
        _lineEnd = _position;
        _nextLine = _position;
        return true;
    }

    private async Task ReadAvailableAsync(LogBatcher output)
    {
        var handle = _handle!;
        var length = RandomAccess.GetLength(handle);
        if (length < _position)
        {
            // Copy-truncate or plain truncation: what was written from now on starts at offset 0.
            FlushPartial(output);
            await output.MarkerAsync(Path, LogKinds.Truncated);
            _position = 0;
            _lineEnd = 0;
            _nextLine = 0;
        }

        while (_position < length)
        {
            var read = RandomAccess.Read(handle, chunk.AsSpan(0, (int)Math.Min(chunk.Length, length - _position)), _position);
            if (read == 0)
            {
                break;
            }

            var newline = chunk.AsSpan(0, read).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                _lineEnd = _position + newline + 1;
            }

            _position += read;
            var chunkStart = _position - read;
            _splitter.Split(chunk.AsSpan(0, read), _lines, _ends);
            if (_splitter.SkipEndedAt is { } skipped)
            {
                _nextLine = chunkStart + skipped;
            }

            for (var i = 0; i < _lines.Count; i++)
            {
                _entries.Add(_lines[i], _nextLine, _done);
                _nextLine = chunkStart + _ends[i];
            }

            _lines.Clear();
            _ends.Clear();
            Publish(output);
            if (output.Full)
            {
                await output.FlushAsync();
            }
        }
    }

    // The file ends here (rotated, truncated, gone): its held line and its open entry are complete.
    private void FlushPartial(LogBatcher output)
    {
        if (_splitter.TryFlush(out var line))
        {
            _lineEnd = _position;
            _entries.Add(line, _nextLine, _done);
            _nextLine = _position;
        }

        _entries.Flush(_done);
        Publish(output);
    }

    // The open entry, once nothing has come for FlushAfter.
    private void PublishIfQuiet(LogBatcher output)
    {
        if (_entries.FlushIfQuiet(_done))
        {
            Publish(output);
        }
    }

    // The entries completed so far, with where a restart would go on from.
    private void Publish(LogBatcher output)
    {
        output.Add(Path, _done, LineEnd());
        _done.Clear();
    }

    // Where a restart would go on from: the start of the entry still open, else the end of the last whole line read.
    private FilePosition? LineEnd() => Identity is { } identity ? new FilePosition(identity, Path, _entries.OpenSince ?? _lineEnd) : null;

    private long StartOfLastLines(long length, int lines)
    {
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

internal enum StartKind
{
    LastLines,
    End,
    Beginning,
    Resume,
}

/// <summary>Where a newly opened file is read from: its last lines, its end, its start, or where it was left.</summary>
internal readonly record struct StartAt(StartKind Kind, long Position = 0)
{
    public static StartAt LastLines => new(StartKind.LastLines);

    public static StartAt End => new(StartKind.End);

    public static StartAt Beginning => new(StartKind.Beginning);

    public static StartAt Resume(long position) => new(StartKind.Resume, position);
}
