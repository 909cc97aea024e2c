using SseDashboard.LogTail;
using SseDashboard.Panels;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.LogTail;

/// <summary>The log panel as the hub renders it, read through AngleSharp's DOM.</summary>
public sealed class LogPanelTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Time = new(2026, 11, 21, 16, 35, 42, 426, TimeSpan.Zero);
    private readonly PanelHtml _panels = new(new PanelTemplate<LogBatch, LogPanel>(LogTailTopics.Log));

    public ValueTask DisposeAsync() => _panels.DisposeAsync();

    [Fact]
    public async Task LogLines_RenderOneSiblingDivPerLine_WithLevelAndEncodedText()
    {
        var batch = new LogBatch(Time, "/var/log/app.log", LogKinds.Lines,
            [new LogLine("<script>alert(1)</script> & more", "error"), new LogLine("plain", null)]);

        var body = await _panels.RenderAsync(LogTailTopics.Log, batch);

        var lines = body.Children.ToArray();
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Equal("log-line", l.ClassName));
        Assert.Equal("<script>alert(1)</script> & more", lines[0].TextContent);
        Assert.Empty(body.QuerySelectorAll("script"));
        Assert.Equal("error", lines[0].GetAttribute("data-level"));
        Assert.Equal("", lines[1].GetAttribute("data-level"));
        Assert.Equal("/var/log/app.log", lines[1].GetAttribute("data-file"));
    }

    [Fact]
    public async Task SkippedMarker_SaysHowManyLinesTheRateLimitLeftOut()
    {
        var batch = new LogBatch(Time, "/var/log/app.log", LogKinds.Skipped, []) { Skipped = 48_000 };

        var marker = Assert.Single((await _panels.RenderAsync(LogTailTopics.Log, batch)).Children);

        Assert.Equal("log-marker", marker.ClassName);
        Assert.Equal("skipped", marker.GetAttribute("data-kind"));
        Assert.Equal("48000", marker.GetAttribute("data-skipped"));
        Assert.Equal("48,000 lines skipped (rate limit)", marker.TextContent);
    }

    [Fact]
    public async Task LogCutLine_ShowsAVisibleMark()
    {
        var body = await _panels.RenderAsync(LogTailTopics.Log, new LogBatch(Time, "a.log", LogKinds.Lines, [new LogLine("xxxx", null, Cut: true)]));

        var line = Assert.Single(body.Children);
        Assert.Equal("true", line.GetAttribute("data-cut"));
        Assert.NotNull(line.QuerySelector(".log-cut"));
    }

    [Fact]
    public async Task LogRedactedLine_IsMarked_WithAVisibleBadge_OtherLinesAreNot()
    {
        var body = await _panels.RenderAsync(LogTailTopics.Log, new LogBatch(Time, "a.log", LogKinds.Lines,
            [new LogLine("password=***", null, Redacted: true), new LogLine("plain", null)]));

        var lines = body.Children.ToArray();
        Assert.Equal("true", lines[0].GetAttribute("data-redacted"));
        Assert.Equal("secrets masked", lines[0].QuerySelector(".log-redacted")?.GetAttribute("title"));
        Assert.False(lines[1].HasAttribute("data-redacted"));
        Assert.Null(lines[1].QuerySelector(".log-redacted"));
    }

    [Theory]
    [InlineData(LogKinds.Rotated, "rotated")]
    [InlineData(LogKinds.Truncated, "truncated")]
    [InlineData(LogKinds.Missing, "does not exist")]
    public async Task LogMarkers_RenderAMarkerNamingTheFile(string kind, string words)
    {
        var body = await _panels.RenderAsync(LogTailTopics.Log, new LogBatch(Time, "/var/log/app.log", kind, []));

        var marker = Assert.Single(body.Children);
        Assert.Equal("log-marker", marker.ClassName);
        Assert.Equal(kind, marker.GetAttribute("data-kind"));
        Assert.Contains("app.log", marker.TextContent);
        Assert.Contains(words, marker.TextContent);
    }

    [Fact]
    public async Task LogError_RendersTheErrorVisibly()
    {
        var body = await _panels.RenderAsync(LogTailTopics.Log, new LogBatch(Time, null, LogKinds.Error, [], "The log follower failed: disk on fire"));

        var marker = Assert.Single(body.Children);
        Assert.Equal("error", marker.GetAttribute("data-kind"));
        Assert.Equal("The log follower failed: disk on fire", marker.TextContent);
    }

    [Fact]
    public async Task LogReset_RendersTheResetElement()
    {
        var body = await _panels.RenderAsync(LogTailTopics.Log, (LogBatch)LogTailTopics.Log.CreateResetPayload(Time)!);

        var reset = Assert.Single(body.Children);
        Assert.Equal("log-reset", reset.ClassName);
        Assert.Equal("reset", reset.GetAttribute("data-kind"));
    }

    [Fact]
    public async Task EntryOfSeveralLines_ShowsItsFirstLine_AndFoldsTheRest()
    {
        var entry = LogLine.Of("\u001b[31mERROR\u001b[0m boom") with { Text = "ERROR boom\n   at A()\n   at B()", Lines = 3 };
        var batch = new LogBatch(Time, "/var/log/app.log", LogKinds.Lines, [entry]);

        var line = Assert.Single((await _panels.RenderAsync(LogTailTopics.Log, batch)).Children);

        Assert.Equal("ERROR boom", line.QuerySelector(":scope > .log-text")!.TextContent);
        Assert.Equal("ERROR", line.QuerySelector(":scope > .log-text > .ansi-fg-1")!.TextContent);
        var rest = line.QuerySelector(":scope > details.log-rest")!;
        Assert.Null(rest.GetAttribute("open"));
        Assert.Equal("2 more lines", rest.QuerySelector("summary")!.TextContent);
        Assert.Equal("   at A()\n   at B()", rest.QuerySelector("pre")!.TextContent);
    }
}
