using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SseDashboard.Panels;
using SseDashboard.Producers;
using SseDashboard.Clock;
using SseDashboard.Metrics;
using SseDashboard.LogTail;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Panels;

/// <summary>The cpu, memory and log panels as the hub renders them, read through AngleSharp's DOM.</summary>
public sealed class ProducerPanelsTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Time = new(2026, 11, 21, 16, 35, 42, 426, TimeSpan.Zero);
    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();
    private readonly RendererScope _scope;
    private readonly PanelRenderer _renderer;

    public ProducerPanelsTests()
    {
        _scope = new RendererScope(_services.GetRequiredService<IServiceScopeFactory>());
        _renderer = new PanelRenderer(
            [
                new PanelTemplate<ClockSample, ClockPanel>(ClockTopics.Clock),
                new PanelTemplate<CpuSample, CpuPanel>(MetricsTopics.Cpu),
                new PanelTemplate<MemorySample, MemoryPanel>(MetricsTopics.Memory),
                new PanelTemplate<LogBatch, LogPanel>(LogTailTopics.Log),
            ],
            _scope,
            NullLoggerFactory.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        _scope.Dispose();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task LogLines_RenderOneSiblingDivPerLine_WithLevelAndEncodedText()
    {
        var batch = new LogBatch(Time, "/var/log/app.log", LogKinds.Lines,
            [new LogLine("<script>alert(1)</script> & more", "error"), new LogLine("plain", null)]);

        var body = await RenderAsync(LogTailTopics.Log, batch);

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
    public async Task LogCutLine_ShowsAVisibleMark()
    {
        var body = await RenderAsync(LogTailTopics.Log, new LogBatch(Time, "a.log", LogKinds.Lines, [new LogLine("xxxx", null, Cut: true)]));

        var line = Assert.Single(body.Children);
        Assert.Equal("true", line.GetAttribute("data-cut"));
        Assert.NotNull(line.QuerySelector(".log-cut"));
    }

    [Theory]
    [InlineData(LogKinds.Rotated, "rotated")]
    [InlineData(LogKinds.Truncated, "truncated")]
    [InlineData(LogKinds.Missing, "does not exist")]
    public async Task LogMarkers_RenderAMarkerNamingTheFile(string kind, string words)
    {
        var body = await RenderAsync(LogTailTopics.Log, new LogBatch(Time, "/var/log/app.log", kind, []));

        var marker = Assert.Single(body.Children);
        Assert.Equal("log-marker", marker.ClassName);
        Assert.Equal(kind, marker.GetAttribute("data-kind"));
        Assert.Contains("app.log", marker.TextContent);
        Assert.Contains(words, marker.TextContent);
    }

    [Fact]
    public async Task LogError_RendersTheErrorVisibly()
    {
        var body = await RenderAsync(LogTailTopics.Log, new LogBatch(Time, null, LogKinds.Error, [], "The log follower failed: disk on fire"));

        var marker = Assert.Single(body.Children);
        Assert.Equal("error", marker.GetAttribute("data-kind"));
        Assert.Equal("The log follower failed: disk on fire", marker.TextContent);
    }

    [Fact]
    public async Task LogReset_RendersTheResetElement()
    {
        var body = await RenderAsync(LogTailTopics.Log, (LogBatch)LogTailTopics.Log.CreateResetPayload(Time)!);

        var reset = Assert.Single(body.Children);
        Assert.Equal("log-reset", reset.ClassName);
        Assert.Equal("reset", reset.GetAttribute("data-kind"));
    }

    [Fact]
    public async Task Cpu_RendersGaugesFiguresAndSparklines()
    {
        var sample = new CpuSample(Time, 42.5, 7, 1.5, true, true) { SystemHistory = [10, null, 20, 30], ProcessHistory = [5] };

        var body = await RenderAsync(MetricsTopics.Cpu, sample);

        Assert.Equal("42.5", body.QuerySelector(".metric-system meter")!.GetAttribute("value"));
        Assert.Equal("42.5%", body.QuerySelector(".metric-system .metric-value")!.TextContent);
        Assert.Equal("7", body.QuerySelector(".metric-process meter")!.GetAttribute("value"));
        Assert.Equal("1.5", body.QuerySelector(".cores")!.GetAttribute("data-value"));
        Assert.NotNull(body.QuerySelector(".container-limit"));

        // The unavailable sample splits the line; the newest value sits at the right edge (x = 119), 30% of 100 up.
        Assert.Equal("M116 90M118 80l1-10", body.QuerySelector(".metric-system svg.sparkline path")!.GetAttribute("d"));
        Assert.Equal("M119 95", body.QuerySelector(".metric-process svg.sparkline path")!.GetAttribute("d"));
    }

    [Fact]
    public async Task Cpu_Unavailable_SaysSo()
    {
        var body = await RenderAsync(MetricsTopics.Cpu, new CpuSample(Time, null, 3, 4, false, false));

        Assert.Equal("unavailable", body.QuerySelector(".metric-system .metric-unavailable")!.TextContent);
        Assert.Null(body.QuerySelector(".metric-system meter"));
    }

    [Fact]
    public async Task CpuAndMemory_CarryTheSampleInstant_InTimeDatetime_AlsoWhenFaulted()
    {
        var sample = new CpuSample(Time, 12.5, 3.2, 2, true, false);
        var memory = new MemorySample(Time, 1000, 250, 75, 64, 32, 5, 2, 1, true, false);
        IElement[] bodies =
        [
            await RenderAsync(MetricsTopics.Cpu, sample),
            await RenderAsync(MetricsTopics.Memory, memory),
            await RenderAsync(MetricsTopics.Cpu, CpuSample.Faulted(Time, "boom")),
            await RenderAsync(MetricsTopics.Memory, MemorySample.Faulted(Time, "boom")),
        ];

        Assert.All(bodies, body =>
        {
            var time = Assert.Single(body.QuerySelectorAll("time"));
            Assert.Equal("2026-11-21T16:35:42.426Z", time.GetAttribute("datetime"));
            Assert.Equal("sampled 16:35:42 UTC", time.TextContent);
        });
    }

    [Fact]
    public async Task Clock_Faulted_RendersThePanelError_BesideTheTime()
    {
        var clock = await RenderAsync(ClockTopics.Clock, new ClockSample(Time, 5, "The clock failed: boom"));

        Assert.Equal("The clock failed: boom", clock.QuerySelector(".panel-error")!.TextContent);
        Assert.Equal("2026-11-21T16:35:42.426Z", clock.QuerySelector("time")!.GetAttribute("datetime"));
        Assert.Null((await RenderAsync(ClockTopics.Clock, new ClockSample(Time, 5))).QuerySelector(".panel-error"));
    }

    [Fact]
    public async Task CpuAndMemory_Faulted_RenderThePanelError()
    {
        var cpu = await RenderAsync(MetricsTopics.Cpu, CpuSample.Faulted(Time, "Metrics sampling failed: boom"));
        var memory = await RenderAsync(MetricsTopics.Memory, MemorySample.Faulted(Time, "Metrics sampling failed: boom"));

        Assert.Equal("Metrics sampling failed: boom", cpu.QuerySelector(".panel-error")!.TextContent);
        Assert.Equal("Metrics sampling failed: boom", memory.QuerySelector(".panel-error")!.TextContent);
        Assert.Null(cpu.QuerySelector("meter"));
    }

    [Fact]
    public async Task Memory_RendersUsedGaugeBytesAndGcFigures()
    {
        var sample = new MemorySample(Time, 8L << 30, 2L << 30, 75, 150L << 20, 20L << 20, 12, 3, 1, true, false)
        {
            UsedHistory = [70, 75],
            WorkingSetHistory = [100, 150],
        };

        var body = await RenderAsync(MetricsTopics.Memory, sample);

        Assert.Equal("75", body.QuerySelector(".metric-system meter")!.GetAttribute("value"));
        Assert.Equal("2.0 GiB available of 8.0 GiB", body.QuerySelector(".metric-system .metric-detail")!.TextContent);
        Assert.Equal("150.0 MiB working set", body.QuerySelector(".working-set")!.TextContent);
        Assert.Contains("GC heap 20.0 MiB", body.QuerySelector(".gc")!.TextContent);
        Assert.Contains("12 / 3 / 1", body.QuerySelector(".gc")!.TextContent);
        Assert.Equal(2, body.QuerySelectorAll("svg.sparkline").Length);
    }

    private async Task<IElement> RenderAsync<T>(Topic<T> topic, T payload) where T : notnull
    {
        var html = await _renderer.RenderHtmlAsync(topic, payload);
        var document = new HtmlParser().ParseDocument($"<html><body>{html}</body></html>");
        return document.Body!;
    }
}
