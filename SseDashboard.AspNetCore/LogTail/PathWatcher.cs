namespace SseDashboard.LogTail;

/// <summary>Makes the tail of one file: a glob's file is dropped when it goes, a plain path's is waited for.</summary>
internal delegate FileTail NewTail(string path, bool inGlob, StartAt start);

/// <summary>One configured path: a plain file followed as it is, or a glob whose matching files come and go.</summary>
internal sealed class PathWatcher(LogPathPattern pattern, NewTail newTail, FinishedFiles finished)
{
    private readonly List<FileTail> _tails = pattern.IsGlob ? [] : [newTail(pattern.FullPath, inGlob: false, StartAt.LastLines)];
    private bool _missingReported;

    /// <summary>One look at the path; <paramref name="initial"/> on the follower's first.</summary>
    public async Task PollAsync(bool initial, LogBatcher output)
    {
        if (pattern.IsGlob)
        {
            await PollGlobAsync(initial, output);
        }
        else
        {
            await _tails[0].PollAsync(output);
        }
    }

    private async Task PollGlobAsync(bool initial, LogBatcher output)
    {
        foreach (var tail in _tails.ToArray())
        {
            if (!await tail.PollAsync(output))
            {
                _tails.Remove(tail);
            }
        }

        var followed = _tails.Select(t => t.Path).ToHashSet(StringComparer.Ordinal);
        var found = pattern.Match().Where(f => !followed.Contains(f)).ToList();

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
        var rolling = _tails.Count > 0;
        for (var i = 0; i < found.Count; i++)
        {
            var path = found[i];
            var start = initial ? (i == 0 ? StartAt.LastLines : StartAt.End) : StartAt.Beginning;
            if (!initial && FileIdentity.OfPath(path) is { } id)
            {
                if (_tails.Any(t => t.Identity == id))
                {
                    continue; // a second name for a file we follow: the rename shows up as rotation on the next look
                }

                start = finished.TryGetPosition(id, out var position) ? StartAt.Resume(position) : start;
            }

            var tail = newTail(path, inGlob: true, start);
            _tails.Add(tail);
            if (start.Kind == StartKind.Beginning && rolling)
            {
                await output.MarkerAsync(path, LogKinds.Rotated);
            }

            if (!await tail.PollAsync(output))
            {
                _tails.Remove(tail);
            }
        }

        if (_tails.Count > 0)
        {
            _missingReported = false;
        }
        else if (!_missingReported)
        {
            _missingReported = true;
            await output.MarkerAsync(pattern.FullPath, LogKinds.Missing);
        }
    }
}
