using SseDashboard.History;
using SseDashboard.Panels;

namespace SseDashboard.Tests.History;

/// <summary>How a metric's stored series becomes a chart: axes, runs and gaps, the words that summarise it.</summary>
public sealed class ChartLayoutTests
{
    private static readonly ChartSeries Cpu = new("systemPercent", "Machine CPU", ChartUnit.Percent);
    private static readonly ChartSeries WorkingSet = new("processWorkingSetBytes", "This app's working set", ChartUnit.Bytes);
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 10, 3, 20, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 10 * 60, new[] { "10:10", "10:20", "10:30", "10:40", "10:50", "11:00" })]
    [InlineData(24, 3 * 3600, new[] { "12:00", "", "18:00", "", "Nov 21", "", "06:00", "" })]
    [InlineData(7 * 24, 24 * 3600, new[] { "Nov 21", "", "Nov 23", "", "Nov 25", "", "Nov 27" })]
    public void TimeAxis_TicksAtWholeUtcSteps_LabelsThinnedWhereTheyWouldTouch(int hours, int stepSeconds, string[] labels)
    {
        var layout = ChartLayout.Of(Series(hours * 3600, 60), Cpu, TimeSpan.FromSeconds(1));

        Assert.Equal(labels, layout.TimeTicks.Select(t => t.Label));
        var gaps = layout.TimeTicks.Zip(layout.TimeTicks.Skip(1), (a, b) => b.At - a.At).ToList();
        Assert.All(gaps, g => Assert.Equal(gaps[0], g, 3));
        Assert.Equal((double)stepSeconds / (hours * 3600) * (ChartLayout.PlotRight - ChartLayout.Left), gaps[0], 3);
    }

    [Fact]
    public void ValueAxis_Percent_IsZeroToHundredByQuarters_UnlessSomethingWentPast()
    {
        Assert.Equal(["0%", "25%", "50%", "75%", "100%"], ChartLayout.Of(Series(3600, 12, (0, 40), (12, 60)), Cpu, TimeSpan.FromSeconds(1)).ValueTicks.Select(t => t.Label));
        Assert.Equal(["0%", "50%", "100%", "150%", "200%"], ChartLayout.Of(Series(3600, 12, (0, 180)), Cpu, TimeSpan.FromSeconds(1)).ValueTicks.Select(t => t.Label));
        var ticks = ChartLayout.Of(Series(3600, 12), Cpu, TimeSpan.FromSeconds(1)).ValueTicks;
        Assert.Equal(ChartLayout.PlotBottom, ticks[0].At);
        Assert.Equal(ChartLayout.Top, ticks[^1].At);
    }

    [Theory]
    [InlineData(150 * 1024 * 1024.0, new[] { "0", "50 MiB", "100 MiB", "150 MiB" })]
    [InlineData(1.2 * 1024 * 1024 * 1024, new[] { "0", "0.5 GiB", "1 GiB", "1.5 GiB" })]
    [InlineData(700.0, new[] { "0", "200 B", "400 B", "600 B", "800 B" })]
    public void ValueAxis_Bytes_StepsOfTheLargestBinaryUnit(double bytes, string[] labels)
    {
        var layout = ChartLayout.Of(Series(3600, 12, (0, bytes)), WorkingSet, TimeSpan.FromSeconds(1));

        Assert.Equal(labels, layout.ValueTicks.Select(t => t.Label));
        Assert.Equal(Figures.Bytes(bytes), layout.Points[0].Average);
    }

    [Fact]
    public void Runs_EndWhereABucketHasNoSample_ALonePointIsADot()
    {
        // 12-second buckets, a sample a second: 0, 12, 24 join; 36 and 48 are missing; 60 and 72 join; 120 is alone.
        var layout = ChartLayout.Of(Series(3600, 12, (0, 10), (12, 20), (24, 30), (60, 40), (72, 50), (120, 60)), Cpu, TimeSpan.FromSeconds(1));

        Assert.Equal(2, layout.Line.Count(c => c == 'M'));
        Assert.Equal(2, layout.Band.Count(c => c == 'Z'));
        var dot = Assert.Single(layout.Dots);
        Assert.Equal("60%", dot.Average);
        Assert.Equal(["10%", "20%", "30%", "40%", "50%", "60%"], layout.Points.Select(p => p.Average));
        Assert.Equal(layout.Points.Select(p => p.X).Order(), layout.Points.Select(p => p.X));
    }

    [Fact]
    public void Runs_SamplesRarerThanBuckets_AreNoGap()
    {
        // A sample every 5 s in 4-second buckets: some buckets are empty by nature.
        var layout = ChartLayout.Of(Series(3600, 4, (0, 1), (4, 2), (8, 3), (12, 4), (20, 5), (24, 6)), Cpu, TimeSpan.FromSeconds(5));

        Assert.Equal(1, layout.Line.Count(c => c == 'M'));
        Assert.Empty(layout.Dots);
    }

    [Fact]
    public void Point_HasItsBucketsStart_AverageMinAndMax_TheBandSpansThem()
    {
        var series = new MetricSeries("cpu", Start, Start.AddHours(1), 12, [Point(Start, 20, 10, 30), Point(Start.AddSeconds(12), 25, 25, 25)]);

        var layout = ChartLayout.Of(series, Cpu, TimeSpan.FromSeconds(1));

        var first = layout.Points[0];
        Assert.Equal((Start, "20%", "10%", "30%"), (first.Time, first.Average, first.Min, first.Max));
        Assert.True(first.MaxY < first.Y && first.Y < first.MinY, "higher values sit higher");
        Assert.Equal("Machine CPU, 2026-11-20 10:03 to 2026-11-20 11:03 UTC: average 22.5%, lowest 10%, highest 30%", layout.Summary);
    }

    [Fact]
    public void NoData_SaysSo()
    {
        var layout = ChartLayout.Of(Series(3600, 12), WorkingSet, TimeSpan.FromSeconds(1));

        Assert.True(layout.IsEmpty);
        Assert.Equal("", layout.Line);
        Assert.EndsWith("UTC: no data stored", layout.Summary);
    }

    private static MetricSeries Series(int seconds, int bucketSeconds, params (int At, double Value)[] values) =>
        new("cpu", Start, Start.AddSeconds(seconds), bucketSeconds, values.Select(v => Point(Start.AddSeconds(v.At), v.Value, v.Value, v.Value)).ToList());

    private static MetricPoint Point(DateTimeOffset at, double average, double min, double max)
    {
        var point = new MetricPoint
        {
            Timestamp = at,
            Min = new Dictionary<string, double> { ["systemPercent"] = min, ["processWorkingSetBytes"] = min },
            Max = new Dictionary<string, double> { ["systemPercent"] = max, ["processWorkingSetBytes"] = max },
        };
        point.Average["systemPercent"] = average;
        point.Average["processWorkingSetBytes"] = average;
        return point;
    }
}
