using SseDashboard.Clock;
using SseDashboard.Panels;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Clock;

/// <summary>The clock panel as the hub renders it, read through AngleSharp's DOM.</summary>
public sealed class ClockPanelTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Time = new(2026, 11, 21, 16, 35, 42, 426, TimeSpan.Zero);
    private readonly PanelHtml _panels = new(new PanelTemplate<ClockSample, ClockPanel>(ClockTopics.Clock));

    public ValueTask DisposeAsync() => _panels.DisposeAsync();

    [Fact]
    public async Task Clock_Faulted_RendersThePanelError_BesideTheTime()
    {
        var clock = await _panels.RenderAsync(ClockTopics.Clock, new ClockSample(Time, 5, "The clock failed: boom"));

        Assert.Equal("The clock failed: boom", clock.QuerySelector(".panel-error")!.TextContent);
        Assert.Equal("2026-11-21T16:35:42.426Z", clock.QuerySelector("time")!.GetAttribute("datetime"));
        Assert.Null((await _panels.RenderAsync(ClockTopics.Clock, new ClockSample(Time, 5))).QuerySelector(".panel-error"));
    }
}
