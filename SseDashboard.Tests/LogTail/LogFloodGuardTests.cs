using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SseDashboard.LogTail;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.LogTail;

/// <summary><c>Dashboard:LogTail:MaxLinesPerSecond</c>: a flood is cut to the limit, and what is left out is counted.</summary>
public sealed class LogFloodGuardTests
{
    [Fact]
    public void RateLimit_AdmitsUpToTheLimitPerSecond_CountsTheRestPerFile_ReportsAtMostOnceASecond()
    {
        var time = new FakeTimeProvider();
        var limit = new LineRateLimit(10, time);

        Assert.Equal(6, limit.Admit("a.log", 6));
        Assert.Equal(4, limit.Admit("b.log", 7));
        Assert.Equal(0, limit.Admit("a.log", 5));
        Assert.Equal([("b.log", 3L), ("a.log", 5L)], limit.TakeReport().OrderByDescending(r => r.File));
        Assert.Equal(0, limit.Admit("a.log", 2));
        Assert.Empty(limit.TakeReport()); // reported less than a second ago

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([("a.log", 2L)], limit.TakeReport());
        Assert.Equal(10, limit.Admit("a.log", 12)); // a new second, a new allowance
        Assert.Empty(limit.TakeReport());
    }

    [Fact]
    public async Task BatchWhosePublishFails_IsNotRetried_ButReportedAsSkipped()
    {
        using var dir = new TempDirectory();
        var log = dir.File("app.log");
        await File.WriteAllTextAsync(log, "", TestContext.Current.CancellationToken);
        var follower = SteppedFollower.Create(new LogTailOptions { Paths = [log], Multiline = new() { FlushAfter = TimeSpan.Zero } }, new FakeTimeProvider());
        var published = new List<LogBatch>();
        ValueTask Publish(LogBatch batch, CancellationToken _)
        {
            published.Add(batch);
            return ValueTask.CompletedTask;
        }

        await follower.PollAsync(Publish, TestContext.Current.CancellationToken);
        await File.AppendAllLinesAsync(log, ["lost 1", "lost 2", "lost 3"], TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<IOException>(() => follower.PollAsync(
            (batch, _) => batch.Kind == LogKinds.Lines ? throw new IOException("render failed") : ValueTask.CompletedTask,
            TestContext.Current.CancellationToken));
        await File.AppendAllLinesAsync(log, ["kept"], TestContext.Current.CancellationToken);
        await follower.PollAsync(Publish, TestContext.Current.CancellationToken);

        Assert.Equal(["kept"], published.Where(b => b.Kind == LogKinds.Lines).SelectMany(b => b.Lines).Select(l => l.Text));
        var skipped = Assert.Single(published, b => b.Kind == LogKinds.Skipped);
        Assert.Equal(3, skipped.Skipped);
        Assert.Equal(log, skipped.File);
    }

    [Fact]
    public async Task Flood_PublishesAtMostTheLimit_AndASkippedMarker_DeliveredPlusSkippedEqualsWritten()
    {
        using var dir = new TempDirectory();
        var log = dir.File("app.log");
        await File.WriteAllTextAsync(log, "", TestContext.Current.CancellationToken);
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:LogTail:Paths:0"] = log,
            ["Dashboard:LogTail:MaxLinesPerSecond"] = "200",
            ["Dashboard:LogTail:PollInterval"] = "00:00:00.02",
        });
        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=log,clock&format=json");

        const int written = 5000;
        await File.WriteAllLinesAsync(log, Enumerable.Range(0, written).Select(i => $"flood {i}"), TestContext.Current.CancellationToken);

        var delivered = new List<string>();
        var skipped = new List<(long Count, string? File)>();
        var clockTicks = 0;
        while (delivered.Count + skipped.Sum(s => s.Count) < written)
        {
            var item = await sse.NextAsync(TimeSpan.FromSeconds(5));
            if (item.EventType == "clock")
            {
                clockTicks++;
                continue;
            }

            var root = JsonDocument.Parse(item.Data).RootElement;
            switch (root.GetProperty("kind").GetString())
            {
                case LogKinds.Lines:
                    delivered.AddRange(root.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()!));
                    break;
                case LogKinds.Skipped:
                    skipped.Add((root.GetProperty("skipped").GetInt64(), root.GetProperty("file").GetString()));
                    break;
            }
        }

        Assert.Equal(written, delivered.Count + skipped.Sum(s => s.Count));
        Assert.True(clockTicks >= 1, "the clock kept flowing during the flood");
        Assert.NotEmpty(skipped);
        Assert.All(skipped, s => Assert.Equal(log, s.File));
        Assert.InRange(delivered.Count, 200, 1000); // the limit per second, for the few seconds the report takes
        Assert.Equal(delivered.Order(StringComparer.Ordinal), delivered.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal("flood 0", delivered[0]);
        Assert.True(File.ReadAllLines(log).Length == written, "the file itself is untouched");
    }
}
