using System.Text;
using System.Text.RegularExpressions;

namespace SseDashboard.LogTail;

/// <summary><c>Dashboard:LogTail:Multiline</c>: how the lines of one entry (a stack trace under its message) are kept together.</summary>
public sealed class MultilineOptions
{
    /// <summary>
    /// A regular expression: a line matching it starts an entry, any other continues one. Empty: a line continues
    /// the entry before it when it starts with whitespace, <c>at </c>, <c>--- </c>, <c>Caused by:</c>,
    /// <c>Traceback (most recent call last):</c>, <c>  File "</c> or <c>...</c>, or is an exception's first line
    /// (<c>System.InvalidOperationException: …</c>, <c>ValueError: …</c>).
    /// </summary>
    public string? StartPattern { get; set; }

    /// <summary>
    /// Start patterns for some files: the first whose <see cref="MultilineFile.Path"/> (a path or glob, as in
    /// <c>Dashboard:LogTail:Paths</c>) matches a file gives its <see cref="MultilineFile.StartPattern"/>; other files
    /// take <see cref="StartPattern"/>.
    /// </summary>
    public MultilineFile[] Files { get; set; } = [];

    /// <summary>An entry still open this long with no new line is complete.</summary>
    public TimeSpan FlushAfter { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Most lines in one entry: the next one starts another.</summary>
    public int MaxLines { get; set; } = 200;

    internal static void Validate(MultilineOptions options, OptionsErrors errors)
    {
        errors.Range("Multiline:FlushAfter", options.FlushAfter, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        errors.Range("Multiline:MaxLines", options.MaxLines, 1, 100_000);
        if (options.StartPattern is { Length: > 0 } pattern && LogRedactor.Validate(pattern) is { } problem)
        {
            errors.Add("Multiline:StartPattern", $"is not a valid regular expression: {problem}");
        }

        for (var i = 0; i < options.Files.Length; i++)
        {
            if (LogPathPattern.Validate(options.Files[i].Path) is { } pathProblem)
            {
                errors.Add($"Multiline:Files:{i}:Path", pathProblem);
            }

            if (string.IsNullOrEmpty(options.Files[i].StartPattern))
            {
                errors.Add($"Multiline:Files:{i}:StartPattern", "must be a regular expression: a line matching it starts an entry.");
            }
            else if (LogRedactor.Validate(options.Files[i].StartPattern!) is { } fileProblem)
            {
                errors.Add($"Multiline:Files:{i}:StartPattern", $"is not a valid regular expression: {fileProblem}");
            }
        }
    }

    /// <summary>The start pattern for the file at <paramref name="path"/>: its own (<see cref="Files"/>), else the common one.</summary>
    public string? StartPatternFor(string path) =>
        Files.FirstOrDefault(f => f.Path is { Length: > 0 } glob && LogPathPattern.Parse(glob).Matches(path))?.StartPattern ?? StartPattern;
}

/// <summary>One entry of <c>Dashboard:LogTail:Multiline:Files</c>: a path or glob, and its files' start pattern.</summary>
public sealed class MultilineFile
{
    public string? Path { get; set; }

    public string? StartPattern { get; set; }
}

/// <summary>
/// Groups one file's lines into entries: a start line and the continuation lines after it, joined by <c>\n</c>, as
/// one item. An entry is complete at the next start, at <see cref="MultilineOptions.MaxLines"/>, or once nothing has
/// come for <see cref="MultilineOptions.FlushAfter"/>. A JSON entry and a cut line are always whole on their own.
/// </summary>
/// <param name="startPattern">This file's start pattern (<see cref="MultilineOptions.StartPatternFor"/>); null: continuation lines are told by how they start.</param>
internal sealed partial class MultilineEntries(MultilineOptions options, string? startPattern, TimeProvider timeProvider)
{
    private readonly Regex? _start = startPattern is { Length: > 0 } pattern
        ? new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))
        : null;

    private readonly List<LogLine> _pending = [];
    private long _pendingStart;
    private long _lastAdded;

    /// <summary>Where a restart must read again from: the start of the entry still open, or null when none is.</summary>
    public long? OpenSince => _pending.Count > 0 ? _pendingStart : null;

    /// <summary>Adds a line that starts at byte <paramref name="start"/>; an entry it completes goes to <paramref name="done"/>.</summary>
    public void Add(LogLine line, long start, List<LogLine> done)
    {
        var whole = line.Message is not null || line.Cut;
        if (_pending.Count > 0 && (whole || _pending.Count >= options.MaxLines || Starts(line)))
        {
            Flush(done);
        }

        if (whole)
        {
            done.Add(line);
            return;
        }

        if (_pending.Count == 0)
        {
            _pendingStart = start;
        }

        _pending.Add(line);
        _lastAdded = timeProvider.GetTimestamp();
    }

    /// <summary>Completes the open entry when nothing has come for FlushAfter; true when it did.</summary>
    public bool FlushIfQuiet(List<LogLine> done)
    {
        if (_pending.Count == 0 || timeProvider.GetElapsedTime(_lastAdded) < options.FlushAfter)
        {
            return false;
        }

        Flush(done);
        return true;
    }

    /// <summary>Completes the open entry, if any (the file ends: rotated, truncated or gone).</summary>
    public void Flush(List<LogLine> done)
    {
        if (_pending.Count > 0)
        {
            done.Add(Join(_pending));
            _pending.Clear();
        }
    }

    /// <summary>Forgets the open entry, as for a file read afresh.</summary>
    public void Reset() => _pending.Clear();

    private bool Starts(LogLine line)
    {
        if (_start is not null)
        {
            try
            {
                return _start.IsMatch(line.Text);
            }
            catch (RegexMatchTimeoutException)
            {
                return true;
            }
        }

        return !Continuation().IsMatch(line.Text);
    }

    private static LogLine Join(List<LogLine> lines)
    {
        if (lines.Count == 1)
        {
            return lines[0];
        }

        var text = new StringBuilder(lines[0].Text);
        List<AnsiRun>? runs = lines[0].Ansi is { } first ? [.. first] : null;
        foreach (var line in lines.Skip(1))
        {
            text.Append('\n');
            if (line.Ansi is { } more)
            {
                var offset = text.Length;
                (runs ??= []).AddRange(more.Select(r => r with { Start = r.Start + offset }));
            }

            text.Append(line.Text);
        }

        var joined = text.ToString();
        // An entry that says no level but carries an exception (a crash's trace) is an error.
        var level = lines[0].Level ?? LogLevels.Detect(joined) ?? (ExceptionHeader().IsMatch(joined) ? "error" : null);
        return lines[0] with { Text = joined, Ansi = runs, Lines = lines.Count, Level = level };
    }

    // Beside the usual continuations, an exception's own first line (System.InvalidOperationException: …, ValueError:
    // …): Serilog's and log4j's default layouts write it on the line after the message.
    [GeneratedRegex(@"^(?:\s|at |--- |Caused by:|Traceback \(most recent call last\):|\.\.\.|[\w.$]+(?:Exception|Error)(?::|$))", RegexOptions.CultureInvariant)]
    private static partial Regex Continuation();

    [GeneratedRegex(@"(?:^|\s)[\w.$]+(?:Exception|Error):", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex ExceptionHeader();
}
