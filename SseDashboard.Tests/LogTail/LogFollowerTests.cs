using SseDashboard.LogTail;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.LogTail;

/// <summary>The follower reading one file: initial lines, partial lines, long and invalid lines, levels, bursts, errors.</summary>
public sealed class LogFollowerTests : IDisposable
{
    private readonly SteppedFollower _tail = new();

    public void Dispose() => _tail.Dispose();

    [Fact]
    public async Task Start_PublishesTheLastInitialLines_HoldsThePartialLine_ThenEachNewLineOnce()
    {
        var log = _tail.Dir.File("app.log");
        File.WriteAllText(log, "one\ntwo\nthree\nfour\nfive\nhal");
        _tail.Follow(log, initialLines: 3);

        Assert.Equal(["three", "four", "five"], await _tail.PollLinesAsync());

        File.AppendAllText(log, "f\nsix\n");
        Assert.Equal(["half", "six"], await _tail.PollLinesAsync());
        Assert.Empty(await _tail.PollLinesAsync());
    }

    [Fact]
    public async Task Start_FileWithFewerLinesThanInitialLines_PublishesAll_AndZeroMeansNone()
    {
        var a = _tail.Dir.File("a.log");
        var b = _tail.Dir.File("b.log");
        File.WriteAllText(a, "x\ny\n");
        File.WriteAllText(b, "x\ny\n");

        _tail.Follow(a, initialLines: 100);
        Assert.Equal(["x", "y"], await _tail.PollLinesAsync());

        _tail.Follow(b, initialLines: 0);
        Assert.Empty(await _tail.PollLinesAsync());
        File.AppendAllText(b, "z\n");
        Assert.Equal(["z"], await _tail.PollLinesAsync());
    }

    [Fact]
    public async Task PartialLine_IsHeldUntilItsNewlineArrives()
    {
        var log = _tail.Dir.File("app.log");
        File.WriteAllText(log, "");
        _tail.Follow(log);
        await _tail.PollLinesAsync();

        File.AppendAllText(log, "abc");
        Assert.Empty(await _tail.PollLinesAsync());
        File.AppendAllText(log, "def");
        Assert.Empty(await _tail.PollLinesAsync());
        File.AppendAllText(log, "\nnext\n");
        Assert.Equal(["abcdef", "next"], await _tail.PollLinesAsync());
    }

    [Fact]
    public async Task LineOfExactlyMaxLineBytes_WithItsCrlfSplitAcrossReads_IsNotCut()
    {
        var log = await _tail.FollowStartedAsync("", maxLineBytes: 16);

        File.AppendAllText(log, new string('y', 16) + "\r");
        Assert.Empty(await _tail.PollLinesAsync());
        File.AppendAllText(log, "\nnext\n");

        var lines = (await _tail.PollAsync()).SelectMany(e => e.Lines).ToList();
        Assert.Equal([new LogLine(new string('y', 16), null), new LogLine("next", null)], lines);
    }

    [Fact]
    public async Task LongLine_IsCutAtMaxLineBytesWithAMark_AndTheNextLinesStillArrive()
    {
        var log = await _tail.FollowStartedAsync("", maxLineBytes: 16);

        File.AppendAllText(log, new string('x', 40) + "\nshort\n" + new string('y', 16) + "\r\n");
        var lines = (await _tail.PollAsync()).SelectMany(e => e.Lines).ToList();

        Assert.Equal([new LogLine(new string('x', 16), null, Cut: true), new LogLine("short", null), new LogLine(new string('y', 16), null)], lines);
    }

    [Fact]
    public async Task LongLine_GrowingAcrossLooks_IsCutOnce_AndNeverSplitsACharacter()
    {
        var log = await _tail.FollowStartedAsync("", maxLineBytes: 16);

        File.AppendAllText(log, "abcdefghijklmn"); // 14 bytes: held
        Assert.Empty(await _tail.PollAsync());
        File.AppendAllText(log, "oé and much more"); // é takes bytes 16 and 17: the cut at 16 would split it
        var cut = Assert.Single((await _tail.PollAsync()).SelectMany(e => e.Lines));
        Assert.Equal(new LogLine("abcdefghijklmno", null, Cut: true), cut);

        File.AppendAllText(log, " still the same line\nnext\n");
        Assert.Equal(["next"], await _tail.PollLinesAsync());
    }

    [Fact]
    public async Task InvalidUtf8_BecomesReplacementCharacters_AndCrlfIsStripped()
    {
        var log = await _tail.FollowStartedAsync("");

        await using (var writer = new FileStream(log, FileMode.Append))
        {
            writer.Write([.. "ok "u8, 0xFF, 0xC3, .. " end\r\n"u8, .. "caf\u00e9\r"u8]);
        }

        Assert.Equal(["ok \uFFFD\uFFFD end"], await _tail.PollLinesAsync());
        File.AppendAllText(log, "\nlone\rcr\n");
        Assert.Equal(["café", "lone\rcr"], await _tail.PollLinesAsync());
    }

    [Fact]
    public async Task Lines_CarryTheirDetectedLevel()
    {
        var log = _tail.Dir.File("app.log");
        File.WriteAllText(log, "2026-01-01 10:00:00.000 +00:00 [WRN] Some.Source: careful\nplain text\n");
        _tail.Follow(log);

        var lines = (await _tail.PollAsync()).SelectMany(e => e.Lines).ToList();

        Assert.Equal(["warn", null], lines.Select(l => l.Level));
    }

    [Fact]
    public async Task Burst_IsSplitIntoBatchesOfAtMostMaxBatchLines_InOrder()
    {
        var log = await _tail.FollowStartedAsync("", maxBatchLines: 7);

        File.AppendAllText(log, string.Concat(Enumerable.Range(0, 50).Select(i => $"{i}\n")));
        var events = await _tail.PollAsync();

        Assert.All(events, e => Assert.InRange(e.Lines.Count, 1, 7));
        Assert.Equal(8, events.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i.ToString()), events.SelectMany(e => e.Lines).Select(l => l.Text));
    }

    [Fact]
    public async Task Directory_InsteadOfAFile_PublishesAnErrorMarker_AndKeepsGoing()
    {
        var path = _tail.Dir.File("actually-a-directory");
        Directory.CreateDirectory(path);
        _tail.Follow(path);

        var error = Assert.Single(await _tail.PollAsync());
        Assert.Equal(LogKinds.Error, error.Kind);
        Assert.Contains("actually-a-directory", error.Error);
        Assert.Empty(await _tail.PollAsync()); // said once, not every look

        Directory.Delete(path);
        File.WriteAllText(path, "readable now\n");
        Assert.Equal(["readable now"], await _tail.PollLinesAsync());
    }

    [Fact]
    public async Task HundredThousandLineBurst_WhileRunning_ArrivesCompleteAndInOrder()
    {
        const int count = 100_000;
        var log = _tail.Dir.File("burst.log");
        File.WriteAllText(log, "");
        // Unlimited: this is the follower's own completeness, not the flood guard (see LogFloodGuardTests).
        var options = new LogTailOptions { Paths = [log], PollInterval = TimeSpan.FromMilliseconds(5), MaxLinesPerSecond = 1_000_000 };
        var follower = SteppedFollower.Create(options, TimeProvider.System);
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
}
