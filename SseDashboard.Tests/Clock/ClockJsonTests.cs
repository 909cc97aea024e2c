using SseDashboard.Clock;
using static SseDashboard.Tests.Infrastructure.PayloadJson;

namespace SseDashboard.Tests.Clock;

/// <summary>The clock topic's JSON is public API: property names exactly as the README documents them.</summary>
public sealed class ClockJsonTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 21, 16, 35, 42, 426, TimeSpan.FromHours(2));

    [Fact]
    public void Clock_HasExactlyThePublicFields_AndAFaultAddsError()
    {
        var healthy = Parse(ClockTopics.Clock.SerializeJson(new ClockSample(Time, 12.5)));
        Assert.Equal(["timestamp", "uptimeSeconds", "host"], Names(healthy));
        Assert.Equal("2026-11-21T14:35:42.426Z", healthy.GetProperty("timestamp").GetString());

        var faulted = Parse(ClockTopics.Clock.SerializeJson(new ClockSample(Time, 12.5, "The clock failed: boom")));
        Assert.Equal(["timestamp", "uptimeSeconds", "error", "host"], Names(faulted));
        Assert.Equal("The clock failed: boom", faulted.GetProperty("error").GetString());
    }
}
