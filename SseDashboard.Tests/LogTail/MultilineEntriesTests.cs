using Microsoft.Extensions.Time.Testing;
using SseDashboard.LogTail;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.LogTail;

/// <summary>A tailed file's multi-line entries (a message and its stack trace) as one item, on a fake clock.</summary>
public sealed class MultilineEntriesTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly List<LogBatch> _published = [];
    private LogFollower _follower = null!;
    private string _log = "";

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task DotNetException_UnderItsMessage_IsOneEntry_CompletedByTheNextStart()
    {
        Exception thrown;
        try
        {
            Throw();
            return;
        }
        catch (InvalidOperationException ex)
        {
            thrown = ex;
        }

        var trace = thrown.ToString().ReplaceLineEndings("\n");
        Assert.True(trace.Split('\n').Length >= 3, trace);
        await StartAsync();

        // As Serilog's default layout writes it: the message, then the exception from its next line.
        Append($"2026-12-05 10:00:00 [ERR] Charging failed\n{trace}\n2026-12-05 10:00:01 [INF] next\n");
        var lines = await PollAsync();

        var entry = lines[0];
        Assert.Equal($"2026-12-05 10:00:00 [ERR] Charging failed\n{trace}", entry.Text);
        Assert.Equal((trace.Split('\n').Length + 1, "error"), (entry.Lines, entry.Level));
        Assert.Contains("\n ---> System.TimeoutException: gateway silent\n", entry.Text);
        // The last line stays open until quiet, then is a line of its own.
        Assert.Single(lines);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        var next = Assert.Single(await PollAsync());
        Assert.Equal(("2026-12-05 10:00:01 [INF] next", null), (next.Text, next.Lines));
    }

    [Fact]
    public async Task PythonTraceback_JoinsItsMessage_UpToTheExceptionLine()
    {
        await StartAsync();

        Append("ERROR worker crashed\nTraceback (most recent call last):\n  File \"worker.py\", line 3, in <module>\n    main()\nValueError: bad input\nINFO restarted\n");
        var lines = await PollQuietAsync();

        Assert.Equal(["ERROR worker crashed\nTraceback (most recent call last):\n  File \"worker.py\", line 3, in <module>\n    main()\nValueError: bad input", "INFO restarted"], lines.Select(l => l.Text));
        Assert.Equal((5, "error"), (lines[0].Lines, lines[0].Level));
    }

    [Fact]
    public async Task OpenEntry_CompletesAfterFlushAfterOfQuiet_NotBefore()
    {
        await StartAsync();

        Append("ERROR boom\n   at A()\n");
        Assert.Empty(await PollAsync());
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Append("   at B()\n");
        Assert.Empty(await PollAsync());
        _time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.Empty(await PollAsync());
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal("ERROR boom\n   at A()\n   at B()", Assert.Single(await PollAsync()).Text);
    }

    [Fact]
    public async Task MaxLines_StartsTheNextEntry_AndStartPattern_DecidesWhatStarts()
    {
        await StartAsync(new MultilineOptions { MaxLines = 3 });
        Append("start\n" + string.Concat(Enumerable.Range(1, 4).Select(i => $"  more {i}\n")));
        Assert.Equal([3, 2], (await PollQuietAsync()).Select(l => l.Lines ?? 1));

        await StartAsync(new MultilineOptions { StartPattern = @"^\d{4}-\d{2}-\d{2} " });
        Append("2026-12-05 first\nwrapped text\nno indent either\n2026-12-05 second\n");
        Assert.Equal(["2026-12-05 first\nwrapped text\nno indent either", "2026-12-05 second"], (await PollQuietAsync()).Select(l => l.Text));
    }

    [Fact]
    public async Task AFilesOwnStartPattern_IsUsedForFilesItMatches_OthersTakeTheCommonOne()
    {
        var ownGlob = Path.Combine(_dir.Path, "app-*.log");
        var multiline = new MultilineOptions { Files = [new MultilineFile { Path = ownGlob, StartPattern = @"^\d{4}-" }] };
        Assert.Equal(@"^\d{4}-", multiline.StartPatternFor(Path.Combine(_dir.Path, "app-1.log")));
        Assert.Null(multiline.StartPatternFor(Path.Combine(_dir.Path, "other.log")));

        await StartAsync(multiline);
        Append("2026-12-05 first\nwrapped text\n2026-12-05 second\n");

        Assert.Equal(["2026-12-05 first\nwrapped text", "2026-12-05 second"], (await PollQuietAsync()).Select(l => l.Text));
    }

    [Fact]
    public async Task JsonEntries_AndCutLines_AreAlwaysWholeOnTheirOwn()
    {
        await StartAsync();

        Append("{\"level\":\"error\",\"msg\":\"json\"}\n   indented after json\n");

        Assert.Equal(["json", "   indented after json"], (await PollQuietAsync()).Select(l => l.Text));
    }

    [Fact]
    public async Task WhileAnEntryIsOpen_TheStoredPositionIsItsStart_SoARestartReadsItWhole()
    {
        await StartAsync();

        Append("done line\nERROR open\n   at A()\n");
        await PollAsync();
        var position = _published.SelectMany(b => b.Positions).Last();
        Assert.Equal("done line\n".Length, position.Offset);

        // A new run from that position gives the entry whole.
        _follower = new LogFollower(Options(new MultilineOptions()), Redactor(), _time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            new Dictionary<FileIdentity, long> { [position.Identity] = position.Offset });
        _published.Clear();
        Assert.Equal(["ERROR open\n   at A()"], (await PollQuietAsync()).Select(l => l.Text));
    }

    [Fact]
    public async Task Rotation_CompletesTheOpenEntry_BeforeItsMarker()
    {
        await StartAsync();
        Append("ERROR boom\n   at A()\n");
        await PollAsync();

        File.Move(_log, _dir.File("app.log.1"));
        File.WriteAllText(_log, "fresh\n");
        await _follower.PollAsync(Collect, TestContext.Current.CancellationToken);

        Assert.Equal(["lines:ERROR boom\n   at A()", "rotated:"], _published.Take(2).Select(SteppedFollower.Describe));
    }

    [Fact]
    public void BadMultilineSettings_AreRefusedNamingTheKey()
    {
        var result = new ValidateLogTailOptions().Validate(null, new LogTailOptions
        {
            Multiline = new() { StartPattern = "(", MaxLines = 0, Files = [new() { Path = "", StartPattern = "^x" }, new() { Path = "/var/log/a.log", StartPattern = "[" }] },
        });

        Assert.Contains("Dashboard:LogTail:Multiline:StartPattern", result.FailureMessage);
        Assert.Contains("Dashboard:LogTail:Multiline:MaxLines", result.FailureMessage);
        Assert.Contains("Dashboard:LogTail:Multiline:Files:0:Path", result.FailureMessage);
        Assert.Contains("Dashboard:LogTail:Multiline:Files:1:StartPattern", result.FailureMessage);
    }

    private static void Throw()
    {
        try
        {
            throw new TimeoutException("gateway silent");
        }
        catch (TimeoutException inner)
        {
            throw new InvalidOperationException("card declined", inner);
        }
    }

    private async Task StartAsync(MultilineOptions? multiline = null)
    {
        _log = _dir.File($"app-{Guid.NewGuid():N}.log");
        File.WriteAllText(_log, "");
        _follower = new LogFollower(Options(multiline ?? new MultilineOptions()), Redactor(), _time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await PollAsync();
    }

    private LogTailOptions Options(MultilineOptions multiline) =>
        new() { Paths = [_log], MaxLinesPerSecond = 1_000_000, Multiline = multiline };

    private LogRedactor Redactor() =>
        new(Microsoft.Extensions.Options.Options.Create(new LogTailOptions()), _time, Microsoft.Extensions.Logging.Abstractions.NullLogger<LogRedactor>.Instance);

    private void Append(string text) => File.AppendAllText(_log, text);

    private ValueTask Collect(LogBatch batch, CancellationToken cancellationToken)
    {
        _published.Add(batch);
        return ValueTask.CompletedTask;
    }

    // One look, then another once FlushAfter has passed with nothing new: what both published.
    private async Task<List<LogLine>> PollQuietAsync()
    {
        var lines = await PollAsync();
        _time.Advance(TimeSpan.FromMilliseconds(300));
        return [.. lines, .. await PollAsync()];
    }

    private async Task<List<LogLine>> PollAsync()
    {
        var seen = _published.Count;
        await _follower.PollAsync(Collect, TestContext.Current.CancellationToken);
        return _published.Skip(seen).Where(b => b.Kind == LogKinds.Lines).SelectMany(b => b.Lines).ToList();
    }
}
