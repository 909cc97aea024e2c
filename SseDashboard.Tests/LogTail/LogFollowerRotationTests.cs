using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace SseDashboard.Tests.LogTail;

/// <summary>The follower as the file changes under it: rename rotation, truncation, deletion, missing paths, globs.</summary>
public sealed class LogFollowerRotationTests : IDisposable
{
    private readonly SteppedFollower _tail = new();

    public void Dispose() => _tail.Dispose();

    [Fact]
    public async Task RenameRotation_FinishesTheOldFile_MarksRotated_ThenFollowsTheNewFileFromItsStart()
    {
        var log = await _tail.FollowStartedAsync("before\n");

        // The writer keeps its handle on the renamed file and writes twice more before it reopens the path.
        await using (var writer = new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            writer.Write("old-1\n"u8);
            writer.Flush();
            File.Move(log, _tail.Dir.File("app.log.1"));
            writer.Write("old-2\n"u8);
        }

        File.WriteAllText(log, "new-1\nnew-2\n");
        var events = await _tail.PollAsync();

        Assert.Equal(
            ["lines:old-1,old-2", "rotated:", "lines:new-1,new-2"],
            events.Select(SteppedFollower.Describe));
        Assert.Equal(log, events[1].File);
        File.AppendAllText(log, "new-3\n");
        Assert.Equal(["new-3"], await _tail.PollLinesAsync());
    }

    [Fact]
    public async Task RenameRotation_NewFileNotThereYet_MarksMissing_ThenReadsItFromItsStart()
    {
        var log = await _tail.FollowStartedAsync("before\n");

        File.AppendAllText(log, "last words");
        File.Move(log, _tail.Dir.File("app.log.1"));
        Assert.Equal(["lines:last words", "missing:"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));
        Assert.Empty(await _tail.PollAsync());

        File.WriteAllText(log, "reborn\n");
        Assert.Equal(["lines:reborn"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));
    }

    [Fact]
    public async Task CopyTruncate_MarksTruncated_AndStartsAgainAtOffsetZero()
    {
        var log = await _tail.FollowStartedAsync("a fairly long first line\nand a second one\n");

        File.Copy(log, _tail.Dir.File("app.log.1"));
        await using (var writer = new FileStream(log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            writer.SetLength(0);
        }

        File.AppendAllText(log, "fresh\n");
        Assert.Equal(["truncated:", "lines:fresh"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));
    }

    [Fact]
    public async Task PlainTruncation_ThenShorterContent_MarksTruncated_AndReadsTheNewContent()
    {
        var log = await _tail.FollowStartedAsync("0123456789\n0123456789\n");

        File.WriteAllText(log, "short\nx\n"); // opens with truncate: same file, less content
        Assert.Equal(["truncated:", "lines:short,x"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));
    }

    [Fact]
    public async Task DeleteAndRecreate_MarksMissing_ThenFollowsTheNewFile()
    {
        var log = await _tail.FollowStartedAsync("first\n");

        File.Delete(log);
        Assert.Equal(["missing:"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));

        File.WriteAllText(log, "second\n");
        Assert.Equal(["lines:second"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));
    }

    [Fact]
    public async Task DeleteAndRecreate_BetweenTwoLooks_MarksRotated_AndReadsTheNewFile()
    {
        var log = await _tail.FollowStartedAsync("first\n");

        File.Delete(log);
        File.WriteAllText(log, "second\n");
        Assert.Equal(["rotated:", "lines:second"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));
    }

    [Fact]
    public async Task MissingPath_MarksMissingOnce_ThenReadsTheFileFromItsStartWhenItAppears()
    {
        var log = _tail.Dir.File("later.log");
        _tail.Follow(log, initialLines: 1);

        Assert.Equal(["missing:"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));
        Assert.Empty(await _tail.PollAsync());

        File.WriteAllText(log, "a\nb\nc\n");
        Assert.Equal(["lines:a,b,c"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));
    }

    [Fact]
    public async Task MissingPathOrGlobDirectory_IsLookedForWithoutAnExceptionEachLook_AndReadWhenItAppears()
    {
        var dir = _tail.Dir.File("not-yet");
        var thrown = new ConcurrentQueue<Exception>();
        void OnThrown(object? sender, FirstChanceExceptionEventArgs e)
        {
            // Tests run side by side: only this test's paths count.
            if (e.Exception.Message.Contains(dir, StringComparison.Ordinal))
            {
                thrown.Enqueue(e.Exception);
            }
        }

        foreach (var path in new[] { Path.Combine(dir, "app.log"), Path.Combine(dir, "app-*.log") })
        {
            _tail.Follow(path);
            Assert.Equal(["missing:"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));
            AppDomain.CurrentDomain.FirstChanceException += OnThrown;
            try
            {
                for (var look = 0; look < 5; look++)
                {
                    Assert.Empty(await _tail.PollAsync());
                }
            }
            finally
            {
                AppDomain.CurrentDomain.FirstChanceException -= OnThrown;
            }
        }

        Assert.Empty(thrown);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "app-1.log"), "hello\n");
        Assert.Equal(["lines:hello"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));
    }

    [Fact]
    public async Task Glob_NewestFileGivesInitialLines_OthersFollowedFromTheirEnd_LateFilesFromTheirStart()
    {
        var older = _tail.Dir.File("app-1.log");
        var newer = _tail.Dir.File("app-2.log");
        File.WriteAllText(older, "old history\n");
        File.SetLastWriteTimeUtc(older, DateTime.UtcNow.AddHours(-1));
        File.WriteAllText(newer, "recent history\n");
        File.WriteAllText(_tail.Dir.File("other.txt"), "not matched\n");
        _tail.Follow(Path.Combine(_tail.Dir.Path, "app-?.log"));

        var first = await _tail.PollAsync();
        Assert.Equal(["lines:recent history"], first.Select(SteppedFollower.Describe));
        Assert.Equal(newer, first[0].File);

        File.AppendAllText(older, "older grows\n");
        var grown = await _tail.PollAsync();
        Assert.Equal(["lines:older grows"], grown.Select(SteppedFollower.Describe));
        Assert.Equal(older, grown[0].File);

        var late = _tail.Dir.File("app-3.log");
        File.WriteAllText(late, "late 1\nlate 2\n");
        var picked = await _tail.PollAsync();
        Assert.Equal(["rotated:", "lines:late 1,late 2"], picked.Select(SteppedFollower.Describe));
        Assert.All(picked, e => Assert.Equal(late, e.File));
    }

    [Fact]
    public async Task Glob_LateFilesFoundInOneLook_AreReadOldestFirst()
    {
        var first = _tail.Dir.File("app-1.log");
        File.WriteAllText(first, "first\n");
        _tail.Follow(Path.Combine(_tail.Dir.Path, "app-?.log"));
        await _tail.PollAsync();

        var second = _tail.Dir.File("app-2.log");
        var third = _tail.Dir.File("app-3.log");
        File.WriteAllText(second, "second\n");
        File.SetLastWriteTimeUtc(second, DateTime.UtcNow.AddMinutes(-2));
        File.WriteAllText(third, "third\n");
        File.SetLastWriteTimeUtc(third, DateTime.UtcNow.AddMinutes(-1));

        Assert.Equal(["rotated:", "lines:second", "rotated:", "lines:third"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));
    }

    [Fact]
    public async Task Glob_MatchingNothing_MarksMissing_ThenFollowsTheFirstFileThatAppears()
    {
        var pattern = Path.Combine(_tail.Dir.Path, "dashboard-*.log");
        _tail.Follow(pattern);

        var missing = await _tail.PollAsync();
        Assert.Equal(["missing:"], missing.Select(SteppedFollower.Describe));
        Assert.Equal(pattern, missing[0].File);

        File.WriteAllText(_tail.Dir.File("dashboard-20260101.log"), "hello\n");
        Assert.Equal(["lines:hello"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));
    }

    [Fact]
    public async Task Glob_FileRenamedToAnotherMatchingName_IsNotReadTwice()
    {
        var log = _tail.Dir.File("app.log");
        File.WriteAllText(log, "a\n");
        _tail.Follow(Path.Combine(_tail.Dir.Path, "app.log*"));
        await _tail.PollAsync();

        File.AppendAllText(log, "b\n");
        File.Move(log, _tail.Dir.File("app.log.1"));
        File.WriteAllText(log, "c\n");
        Assert.Equal(["lines:b", "rotated:", "lines:c"], (await _tail.PollAsync()).Select(SteppedFollower.Describe));

        File.AppendAllText(_tail.Dir.File("app.log.1"), "d\n");
        Assert.Equal(["d"], await _tail.PollLinesAsync());
    }
}
