using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SseDashboard.LogTail;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.LogTail;

/// <summary>A follower on real temp files, stepped one look at a time so every case is deterministic.</summary>
public sealed class SteppedFollower : IDisposable
{
    private readonly List<LogBatch> _published = [];
    private LogFollower _follower = null!;
    private int _seen;

    public TempDirectory Dir { get; } = new();

    public void Dispose() => Dir.Dispose();

    public void Follow(string path, int initialLines = 100, int maxLineBytes = 64 * 1024, int maxBatchLines = 500)
    {
        var options = new LogTailOptions
        {
            Paths = [path],
            InitialLines = initialLines,
            MaxLineBytes = maxLineBytes,
            MaxBatchLines = maxBatchLines,
            MaxLinesPerSecond = 1_000_000,
            // Each look completes what it read: a look is one step, whatever came before or after.
            Multiline = new MultilineOptions { FlushAfter = TimeSpan.Zero },
        };
        _follower = Create(options, TimeProvider.System);
        _seen = _published.Count;
    }

    /// <summary>Follows a fresh <c>app.log</c> holding <paramref name="content"/>, past its first look.</summary>
    public async Task<string> FollowStartedAsync(string content, int maxLineBytes = 64 * 1024, int maxBatchLines = 500)
    {
        var log = Dir.File("app.log");
        File.WriteAllText(log, content);
        Follow(log, maxLineBytes: maxLineBytes, maxBatchLines: maxBatchLines);
        await PollAsync();
        return log;
    }

    /// <summary>One look; returns the events it published.</summary>
    public async Task<List<LogBatch>> PollAsync()
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

    public async Task<List<string>> PollLinesAsync()
    {
        var events = await PollAsync();
        Assert.All(events, e => Assert.Equal(LogKinds.Lines, e.Kind));
        return events.SelectMany(e => e.Lines).Select(l => l.Text).ToList();
    }

    /// <summary>A follower as the app makes it, with the redactor of the same options.</summary>
    public static LogFollower Create(LogTailOptions options, TimeProvider timeProvider) =>
        new(options, new LogRedactor(Options.Create(options), timeProvider, NullLogger<LogRedactor>.Instance), timeProvider, NullLogger.Instance);

    public static string Describe(LogBatch e) =>
        e.Kind == LogKinds.Lines ? "lines:" + string.Join(",", e.Lines.Select(l => l.Text)) : e.Kind + ":";
}
