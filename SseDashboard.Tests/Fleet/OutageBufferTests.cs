using SseDashboard.History;
using SseDashboard.LogTail;
using SseDashboard.Metrics;

namespace SseDashboard.Tests.Fleet;

/// <summary>What a fleet's writer keeps while its store is down.</summary>
public sealed class OutageBufferTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void KeepsTheNewestOfEachStateTopic_AndTheNewestLines_CountingTheRestAsOneSkippedMarkerFirst()
    {
        var buffer = new OutageBuffer(maxLines: 4, host: "agent-1");
        buffer.Add(LogTailTopics.Log, Batch(0, "l1", "l2", "l3"));
        buffer.Add(MetricsTopics.Cpu, Cpu(1, 10));
        buffer.Add(LogTailTopics.Log, Batch(2, "l4", "l5"));
        buffer.Add(MetricsTopics.Cpu, Cpu(3, 30));
        buffer.Add(LogTailTopics.Log, Batch(4, "l6"));

        var taken = new List<object>();
        while (buffer.TryTake(out _, out var payload, out _))
        {
            taken.Add(payload);
        }

        // Six lines for four places: l1 and l2 went, counted from l1's time; the older cpu sample gave way to the newer.
        var marker = Assert.IsType<LogBatch>(taken[0]);
        Assert.Equal((LogKinds.Skipped, 2L, Time, "agent-1"), (marker.Kind, marker.Skipped!.Value, marker.Timestamp, marker.Host));
        Assert.Equal(["l3"], ((LogBatch)taken[1]).Lines.Select(l => l.Text));
        Assert.Equal(["l4", "l5"], ((LogBatch)taken[2]).Lines.Select(l => l.Text));
        Assert.Equal(30, ((CpuSample)taken[3]).SystemPercent);
        Assert.Equal(["l6"], ((LogBatch)taken[4]).Lines.Select(l => l.Text));
        Assert.Equal(5, taken.Count);

        // Their own timestamps: stored as they were read, not when the store came back.
        Assert.Equal(Time.AddSeconds(2), ((LogBatch)taken[2]).Timestamp);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void WithinTheBound_NothingIsSkipped_AndWhatWasShownLiveSaysSo()
    {
        var buffer = new OutageBuffer(maxLines: 10, host: "agent-1");
        buffer.Add(LogTailTopics.Log, Batch(0, "a", "b"), shown: true);
        buffer.Add(LogTailTopics.Log, Batch(1, "c"));
        Assert.True(buffer.TryTake(out _, out var first, out var firstShown));
        Assert.Equal(["a", "b"], ((LogBatch)first).Lines.Select(l => l.Text));
        Assert.True(firstShown);
        Assert.True(buffer.TryTake(out _, out _, out var secondShown));
        Assert.False(secondShown);
        Assert.False(buffer.TryTake(out _, out _, out _));
    }

    private static LogBatch Batch(int second, params string[] lines) =>
        new(Time.AddSeconds(second), "/var/log/app.log", LogKinds.Lines, lines.Select(l => LogLine.Of(l)).ToArray()) { Host = "agent-1" };

    private static CpuSample Cpu(int second, double percent) => new(Time.AddSeconds(second), percent, 1, 2, true, false) { Host = "agent-1" };
}
