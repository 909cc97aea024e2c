using Microsoft.Extensions.Logging.Abstractions;
using SseDashboard.LogTail;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.LogTail;

/// <summary>The follower on real temp files, stepped one look at a time so every case is deterministic.</summary>
public sealed class LogFollowerTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<LogBatch> _published = [];
    private LogFollower _follower = null!;
    private int _seen;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Start_PublishesTheLastInitialLines_HoldsThePartialLine_ThenEachNewLineOnce()
    {
        var log = _dir.File("app.log");
        File.WriteAllText(log, "one\ntwo\nthree\nfour\nfive\nhal");
        Follow(log, initialLines: 3);

        Assert.Equal(["three", "four", "five"], await PollLinesAsync());

        File.AppendAllText(log, "f\nsix\n");
        Assert.Equal(["half", "six"], await PollLinesAsync());
        Assert.Empty(await PollLinesAsync());
    }

    [Fact]
    public async Task Start_FileWithFewerLinesThanInitialLines_PublishesAll_AndZeroMeansNone()
    {
        var a = _dir.File("a.log");
        var b = _dir.File("b.log");
        File.WriteAllText(a, "x\ny\n");
        File.WriteAllText(b, "x\ny\n");

        Follow(a, initialLines: 100);
        Assert.Equal(["x", "y"], await PollLinesAsync());

        Follow(b, initialLines: 0);
        Assert.Empty(await PollLinesAsync());
        File.AppendAllText(b, "z\n");
        Assert.Equal(["z"], await PollLinesAsync());
    }

    [Fact]
    public async Task PartialLine_IsHeldUntilItsNewlineArrives()
    {
        var log = _dir.File("app.log");
        File.WriteAllText(log, "");
        Follow(log);
        await PollLinesAsync();

        File.AppendAllText(log, "abc");
        Assert.Empty(await PollLinesAsync());
        File.AppendAllText(log, "def");
        Assert.Empty(await PollLinesAsync());
        File.AppendAllText(log, "\nnext\n");
        Assert.Equal(["abcdef", "next"], await PollLinesAsync());
    }

    [Fact]
    public async Task RenameRotation_FinishesTheOldFile_MarksRotated_ThenFollowsTheNewFileFromItsStart()
    {
        var log = await FollowStartedAsync("before\n");

        // The writer keeps its handle on the renamed file and writes twice more before it reopens the path.
        await using (var writer = new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            writer.Write("old-1\n"u8);
            writer.Flush();
            File.Move(log, _dir.File("app.log.1"));
            writer.Write("old-2\n"u8);
        }

        File.WriteAllText(log, "new-1\nnew-2\n");
        var events = await PollAsync();

        Assert.Equal(
            ["lines:old-1,old-2", "rotated:", "lines:new-1,new-2"],
            events.Select(Describe));
        Assert.Equal(log, events[1].File);
        File.AppendAllText(log, "new-3\n");
        Assert.Equal(["new-3"], await PollLinesAsync());
    }

    [Fact]
    public async Task RenameRotation_NewFileNotThereYet_MarksMissing_ThenReadsItFromItsStart()
    {
        var log = await FollowStartedAsync("before\n");

        File.AppendAllText(log, "last words");
        File.Move(log, _dir.File("app.log.1"));
        Assert.Equal(["lines:last words", "missing:"], (await PollAsync()).Select(Describe));
        Assert.Empty(await PollAsync());

        File.WriteAllText(log, "reborn\n");
        Assert.Equal(["lines:reborn"], (await PollAsync()).Select(Describe));
    }

    [Fact]
    public async Task CopyTruncate_MarksTruncated_AndStartsAgainAtOffsetZero()
    {
        var log = await FollowStartedAsync("a fairly long first line\nand a second one\n");

        File.Copy(log, _dir.File("app.log.1"));
        await using (var writer = new FileStream(log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            writer.SetLength(0);
        }

        File.AppendAllText(log, "fresh\n");
        Assert.Equal(["truncated:", "lines:fresh"], (await PollAsync()).Select(Describe));
    }

    [Fact]
    public async Task PlainTruncation_ThenShorterContent_MarksTruncated_AndReadsTheNewContent()
    {
        var log = await FollowStartedAsync("0123456789\n0123456789\n");

        File.WriteAllText(log, "short\nx\n"); // opens with truncate: same file, less content
        Assert.Equal(["truncated:", "lines:short,x"], (await PollAsync()).Select(Describe));
    }

    [Fact]
    public async Task DeleteAndRecreate_MarksMissing_ThenFollowsTheNewFile()
    {
        var log = await FollowStartedAsync("first\n");

        File.Delete(log);
        Assert.Equal(["missing:"], (await PollAsync()).Select(Describe));

        File.WriteAllText(log, "second\n");
        Assert.Equal(["lines:second"], (await PollAsync()).Select(Describe));
    }

    [Fact]
    public async Task DeleteAndRecreate_BetweenTwoLooks_MarksRotated_AndReadsTheNewFile()
    {
        var log = await FollowStartedAsync("first\n");

        File.Delete(log);
        File.WriteAllText(log, "second\n");
        Assert.Equal(["rotated:", "lines:second"], (await PollAsync()).Select(Describe));
    }

    [Fact]
    public async Task MissingPath_MarksMissingOnce_ThenReadsTheFileFromItsStartWhenItAppears()
    {
        var log = _dir.File("later.log");
        Follow(log, initialLines: 1);

        Assert.Equal(["missing:"], (await PollAsync()).Select(Describe));
        Assert.Empty(await PollAsync());

        File.WriteAllText(log, "a\nb\nc\n");
        Assert.Equal(["lines:a,b,c"], (await PollAsync()).Select(Describe));
    }

    [Fact]
    public async Task Glob_NewestFileGivesInitialLines_OthersFollowedFromTheirEnd_LateFilesFromTheirStart()
    {
        var older = _dir.File("app-1.log");
        var newer = _dir.File("app-2.log");
        File.WriteAllText(older, "old history\n");
        File.SetLastWriteTimeUtc(older, DateTime.UtcNow.AddHours(-1));
        File.WriteAllText(newer, "recent history\n");
        File.WriteAllText(_dir.File("other.txt"), "not matched\n");
        Follow(Path.Combine(_dir.Path, "app-?.log"));

        var first = await PollAsync();
        Assert.Equal(["lines:recent history"], first.Select(Describe));
        Assert.Equal(newer, first[0].File);

        File.AppendAllText(older, "older grows\n");
        var grown = await PollAsync();
        Assert.Equal(["lines:older grows"], grown.Select(Describe));
        Assert.Equal(older, grown[0].File);

        var late = _dir.File("app-3.log");
        File.WriteAllText(late, "late 1\nlate 2\n");
        var picked = await PollAsync();
        Assert.Equal(["rotated:", "lines:late 1,late 2"], picked.Select(Describe));
        Assert.All(picked, e => Assert.Equal(late, e.File));
    }

    [Fact]
    public async Task Glob_LateFilesFoundInOneLook_AreReadOldestFirst()
    {
        var first = _dir.File("app-1.log");
        File.WriteAllText(first, "first\n");
        Follow(Path.Combine(_dir.Path, "app-?.log"));
        await PollAsync();

        var second = _dir.File("app-2.log");
        var third = _dir.File("app-3.log");
        File.WriteAllText(second, "second\n");
        File.SetLastWriteTimeUtc(second, DateTime.UtcNow.AddMinutes(-2));
        File.WriteAllText(third, "third\n");
        File.SetLastWriteTimeUtc(third, DateTime.UtcNow.AddMinutes(-1));

        Assert.Equal(["rotated:", "lines:second", "rotated:", "lines:third"], (await PollAsync()).Select(Describe));
    }

    [Fact]
    public async Task Glob_MatchingNothing_MarksMissing_ThenFollowsTheFirstFileThatAppears()
    {
        var pattern = Path.Combine(_dir.Path, "dashboard-*.log");
        Follow(pattern);

        var missing = await PollAsync();
        Assert.Equal(["missing:"], missing.Select(Describe));
        Assert.Equal(pattern, missing[0].File);

        File.WriteAllText(_dir.File("dashboard-20260101.log"), "hello\n");
        Assert.Equal(["lines:hello"], (await PollAsync()).Select(Describe));
    }

    [Fact]
    public async Task Glob_FileRenamedToAnotherMatchingName_IsNotReadTwice()
    {
        var log = _dir.File("app.log");
        File.WriteAllText(log, "a\n");
        Follow(Path.Combine(_dir.Path, "app.log*"));
        await PollAsync();

        File.AppendAllText(log, "b\n");
        File.Move(log, _dir.File("app.log.1"));
        File.WriteAllText(log, "c\n");
        Assert.Equal(["lines:b", "rotated:", "lines:c"], (await PollAsync()).Select(Describe));

        File.AppendAllText(_dir.File("app.log.1"), "d\n");
        Assert.Equal(["d"], await PollLinesAsync());
    }

    [Fact]
    public async Task LineOfExactlyMaxLineBytes_WithItsCrlfSplitAcrossReads_IsNotCut()
    {
        var log = await FollowStartedAsync("", maxLineBytes: 16);

        File.AppendAllText(log, new string('y', 16) + "\r");
        Assert.Empty(await PollLinesAsync());
        File.AppendAllText(log, "\nnext\n");

        var lines = (await PollAsync()).SelectMany(e => e.Lines).ToList();
        Assert.Equal([new LogLine(new string('y', 16), null), new LogLine("next", null)], lines);
    }

    [Fact]
    public async Task LongLine_IsCutAtMaxLineBytesWithAMark_AndTheNextLinesStillArrive()
    {
        var log = await FollowStartedAsync("", maxLineBytes: 16);

        File.AppendAllText(log, new string('x', 40) + "\nshort\n" + new string('y', 16) + "\r\n");
        var lines = (await PollAsync()).SelectMany(e => e.Lines).ToList();

        Assert.Equal([new LogLine(new string('x', 16), null, Cut: true), new LogLine("short", null), new LogLine(new string('y', 16), null)], lines);
    }

    [Fact]
    public async Task LongLine_GrowingAcrossLooks_IsCutOnce_AndNeverSplitsACharacter()
    {
        var log = await FollowStartedAsync("", maxLineBytes: 16);

        File.AppendAllText(log, "abcdefghijklmn"); // 14 bytes: held
        Assert.Empty(await PollAsync());
        File.AppendAllText(log, "oé and much more"); // é takes bytes 16 and 17: the cut at 16 would split it
        var cut = Assert.Single((await PollAsync()).SelectMany(e => e.Lines));
        Assert.Equal(new LogLine("abcdefghijklmno", null, Cut: true), cut);

        File.AppendAllText(log, " still the same line\nnext\n");
        Assert.Equal(["next"], await PollLinesAsync());
    }

    [Fact]
    public async Task InvalidUtf8_BecomesReplacementCharacters_AndCrlfIsStripped()
    {
        var log = await FollowStartedAsync("");

        await using (var writer = new FileStream(log, FileMode.Append))
        {
            writer.Write([.. "ok "u8, 0xFF, 0xC3, .. " end\r\n"u8, .. "caf\u00e9\r"u8]);
        }

        Assert.Equal(["ok \uFFFD\uFFFD end"], await PollLinesAsync());
        File.AppendAllText(log, "\nlone\rcr\n");
        Assert.Equal(["café", "lone\rcr"], await PollLinesAsync());
    }

    [Fact]
    public async Task Lines_CarryTheirDetectedLevel()
    {
        var log = _dir.File("app.log");
        File.WriteAllText(log, "2026-01-01 10:00:00.000 +00:00 [WRN] Some.Source: careful\nplain text\n");
        Follow(log);

        var lines = (await PollAsync()).SelectMany(e => e.Lines).ToList();

        Assert.Equal(["warn", null], lines.Select(l => l.Level));
    }

    [Fact]
    public async Task Burst_IsSplitIntoBatchesOfAtMostMaxBatchLines_InOrder()
    {
        var log = await FollowStartedAsync("", maxBatchLines: 7);

        File.AppendAllText(log, string.Concat(Enumerable.Range(0, 50).Select(i => $"{i}\n")));
        var events = await PollAsync();

        Assert.All(events, e => Assert.InRange(e.Lines.Count, 1, 7));
        Assert.Equal(8, events.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i.ToString()), events.SelectMany(e => e.Lines).Select(l => l.Text));
    }

    [Fact]
    public async Task Directory_InsteadOfAFile_PublishesAnErrorMarker_AndKeepsGoing()
    {
        var path = _dir.File("actually-a-directory");
        Directory.CreateDirectory(path);
        Follow(path);

        var error = Assert.Single(await PollAsync());
        Assert.Equal(LogKinds.Error, error.Kind);
        Assert.Contains("actually-a-directory", error.Error);
        Assert.Empty(await PollAsync()); // said once, not every look

        Directory.Delete(path);
        File.WriteAllText(path, "readable now\n");
        Assert.Equal(["readable now"], await PollLinesAsync());
    }

    [Fact]
    public async Task HundredThousandLineBurst_WhileRunning_ArrivesCompleteAndInOrder()
    {
        const int count = 100_000;
        var log = _dir.File("burst.log");
        File.WriteAllText(log, "");
        var options = new LogTailOptions { Paths = [log], PollInterval = TimeSpan.FromMilliseconds(5) };
        var follower = new LogFollower(options, TimeProvider.System, NullLogger.Instance);
        var received = new List<LogBatch>();
        var lineCount = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var running = follower.RunAsync(
            (batch, _) =>
            {
                lock (received)
                {
                    received.Add(batch);
                    lineCount += batch.Lines.Count;
                }

                return ValueTask.CompletedTask;
            },
            stop.Token);

        await using (var writer = new StreamWriter(new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), bufferSize: 4096))
        {
            for (var i = 0; i < count; i++)
            {
                await writer.WriteAsync($"line {i}\n");
            }
        }

        await Eventually.TrueAsync(() => Volatile.Read(ref lineCount) >= count, TimeSpan.FromSeconds(60), "all 100,000 lines arrive");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        lock (received)
        {
            var texts = received.Where(b => b.Kind == LogKinds.Lines).SelectMany(b => b.Lines).Select(l => l.Text).ToList();
            Assert.Equal(count, texts.Count);
            for (var i = 0; i < count; i++)
            {
                Assert.Equal($"line {i}", texts[i]);
            }

            Assert.All(received, b => Assert.Equal(LogKinds.Lines, b.Kind));
            Assert.Contains(received, b => b.Lines.Count > 1);
        }
    }

    private void Follow(string path, int initialLines = 100, int maxLineBytes = 64 * 1024, int maxBatchLines = 500)
    {
        var options = new LogTailOptions
        {
            Paths = [path],
            InitialLines = initialLines,
            MaxLineBytes = maxLineBytes,
            MaxBatchLines = maxBatchLines,
        };
        _follower = new LogFollower(options, TimeProvider.System, NullLogger.Instance);
        _seen = _published.Count;
    }

    /// <summary>Follows a fresh <c>app.log</c> holding <paramref name="content"/>, past its first look.</summary>
    private async Task<string> FollowStartedAsync(string content, int maxLineBytes = 64 * 1024, int maxBatchLines = 500)
    {
        var log = _dir.File("app.log");
        File.WriteAllText(log, content);
        Follow(log, maxLineBytes: maxLineBytes, maxBatchLines: maxBatchLines);
        await PollAsync();
        return log;
    }

    /// <summary>One look; returns the events it published.</summary>
    private async Task<List<LogBatch>> PollAsync()
    {
        await _follower.PollAsync((batch, _) =>
        {
            _published.Add(batch);
            return ValueTask.CompletedTask;
        }, TestContext.Current.CancellationToken);
        var events = _published.Skip(_seen).ToList();
        _seen = _published.Count;
        return events;
    }

    private async Task<List<string>> PollLinesAsync()
    {
        var events = await PollAsync();
        Assert.All(events, e => Assert.Equal(LogKinds.Lines, e.Kind));
        return events.SelectMany(e => e.Lines).Select(l => l.Text).ToList();
    }

    private static string Describe(LogBatch e) =>
        e.Kind == LogKinds.Lines ? "lines:" + string.Join(",", e.Lines.Select(l => l.Text)) : e.Kind + ":";
}
