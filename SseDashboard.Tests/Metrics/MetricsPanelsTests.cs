using AngleSharp.Dom;
using SseDashboard.Metrics;
using SseDashboard.Panels;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Metrics;

/// <summary>The cpu and memory panels as the hub renders them, read through AngleSharp's DOM.</summary>
public sealed class MetricsPanelsTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Time = new(2026, 11, 21, 16, 35, 42, 426, TimeSpan.Zero);
    private readonly PanelHtml _panels = new(
        new PanelTemplate<CpuSample, CpuPanel>(MetricsTopics.Cpu),
        new PanelTemplate<MemorySample, MemoryPanel>(MetricsTopics.Memory));

    public ValueTask DisposeAsync() => _panels.DisposeAsync();

    [Fact]
    public async Task Cpu_RendersGaugesFiguresAndSparklines()
    {
        var sample = new CpuSample(Time, 42.5, 7, 1.5, true, true) { SystemHistory = [10, null, 20, 30], ProcessHistory = [5] };

        var body = await _panels.RenderAsync(MetricsTopics.Cpu, sample);

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
        var body = await _panels.RenderAsync(MetricsTopics.Cpu, new CpuSample(Time, null, 3, 4, false, false));

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
            await _panels.RenderAsync(MetricsTopics.Cpu, sample),
            await _panels.RenderAsync(MetricsTopics.Memory, memory),
            await _panels.RenderAsync(MetricsTopics.Cpu, CpuSample.Faulted(Time, "boom")),
            await _panels.RenderAsync(MetricsTopics.Memory, MemorySample.Faulted(Time, "boom")),
        ];

        Assert.All(bodies, body =>
        {
            var time = Assert.Single(body.QuerySelectorAll("time"));
            Assert.Equal("2026-11-21T16:35:42.426Z", time.GetAttribute("datetime"));
            Assert.Equal("sampled 16:35:42 UTC", time.TextContent);
        });
    }

    [Fact]
    public async Task CpuAndMemory_Faulted_RenderThePanelError()
    {
        var cpu = await _panels.RenderAsync(MetricsTopics.Cpu, CpuSample.Faulted(Time, "Metrics sampling failed: boom"));
        var memory = await _panels.RenderAsync(MetricsTopics.Memory, MemorySample.Faulted(Time, "Metrics sampling failed: boom"));

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

        var body = await _panels.RenderAsync(MetricsTopics.Memory, sample);

        Assert.Equal("75", body.QuerySelector(".metric-system meter")!.GetAttribute("value"));
        Assert.Equal("2.0 GiB available of 8.0 GiB", body.QuerySelector(".metric-system .metric-detail")!.TextContent);
        Assert.Equal("150.0 MiB working set", body.QuerySelector(".working-set")!.TextContent);
        Assert.Contains("GC heap 20.0 MiB", body.QuerySelector(".gc")!.TextContent);
        Assert.Contains("12 / 3 / 1", body.QuerySelector(".gc")!.TextContent);
        Assert.Equal(2, body.QuerySelectorAll("svg.sparkline").Length);
    }
}
