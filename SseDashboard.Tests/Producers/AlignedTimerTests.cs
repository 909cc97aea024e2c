using SseDashboard.Producers;

namespace SseDashboard.Tests.Producers;

public sealed class AlignedTimerTests
{
    [Theory]
    [InlineData("12:00:00.300", 1000, "12:00:01.000")]
    [InlineData("12:00:01.000", 1000, "12:00:02.000")]
    [InlineData("12:00:00.999", 1000, "12:00:01.000")]
    [InlineData("12:00:00.300", 200, "12:00:00.400")]
    [InlineData("12:00:07.000", 5000, "12:00:10.000")]
    public void NextBoundary_IsTheNextWholeMultipleOfTheInterval(string now, int intervalMs, string expected)
    {
        var at = DateTimeOffset.Parse($"2026-11-21T{now}Z");

        Assert.Equal(
            DateTimeOffset.Parse($"2026-11-21T{expected}Z"),
            AlignedTimer.NextBoundary(at, TimeSpan.FromMilliseconds(intervalMs)));
    }
}
