using SseDashboard.Bench.Servers;
using SseDashboard.LogTail;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Bench;

/// <summary>The log scenarios' writer: plain lines, or CLEF entries the dashboard reads as the same text.</summary>
public sealed class LogWriterTests
{
    [Fact]
    public async Task JsonLines_AreClefEntries_WithTheMarkersText_EveryHundredthWithAnException()
    {
        using var dir = new TempDirectory();
        var path = dir.File("burst.log");

        var written = await LogWriter.WriteAsync(path, 100_000, TestContext.Current.CancellationToken, maxLines: 200, json: true);

        var entries = (await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken)).Select(l => LogLine.Of(l)).ToArray();
        Assert.Equal(200, written);
        Assert.Equal(200, entries.Length);
        Assert.All(entries.Select((e, i) => (e, i)), x => Assert.Matches($"^benchline {x.i} [0-9]+$", x.e.Text));
        Assert.Equal([99, 199], entries.Select((e, i) => (e, i)).Where(x => x.e.Exception is not null).Select(x => x.i));
        Assert.Equal("error", entries[99].Level);
        Assert.Equal("info", entries[0].Level);
    }

    [Fact]
    public async Task AlertLines_AreWarnings_EveryNth_NamingTheRulesInTurn_AndStillCountedAsBenchLines()
    {
        using var dir = new TempDirectory();
        var path = dir.File("alerts.log");

        await LogWriter.WriteAsync(path, 100_000, TestContext.Current.CancellationToken, maxLines: 30, alertEvery: 10, alertRules: 2);

        var lines = (await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken)).Select(l => LogLine.Of(l)).ToArray();
        var alerts = lines.Select((l, i) => (l, i)).Where(x => x.l.Text.Contains("benchalert", StringComparison.Ordinal)).ToArray();
        Assert.Equal([9, 19, 29], alerts.Select(x => x.i));
        Assert.Equal(["benchalert00", "benchalert01", "benchalert00"], alerts.Select(x => x.l.Text.Split(' ')[^1]));
        Assert.All(alerts, x => Assert.Equal("warn", x.l.Level));
        Assert.All(lines.Select((l, i) => (l, i)), x => Assert.Contains($"benchline {x.i} ", x.l.Text));
    }
}
