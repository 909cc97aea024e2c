using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SseDashboard.Producers;
using SseDashboard.Clock;
using SseDashboard.Metrics;
using SseDashboard.LogTail;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Producers;

public sealed class AlignedTimerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, 300, TimeSpan.Zero);

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

    [Fact]
    public async Task Clock_PublishesAtOnce_ThenOnEverySecond_AsAWallClockChanges()
    {
        var time = new FakeTimeProvider(Start);
        var publisher = new RecordingPublisher();
        using var clock = Clock(time, publisher);

        await clock.StartAsync(TestContext.Current.CancellationToken);
        for (var i = 0; i < 3; i++)
        {
            await Eventually.TrueAsync(() => time.WaitingTimers == 1, TimeSpan.FromSeconds(10), "the clock waiting for its next tick");
            time.Advance(i == 0 ? TimeSpan.FromMilliseconds(700) : TimeSpan.FromSeconds(1));
        }

        await Eventually.TrueAsync(() => publisher.Of(ClockTopics.Clock).Count() == 4, TimeSpan.FromSeconds(10), "four clock events");
        await clock.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(
            ["12:00:00.300", "12:00:01.000", "12:00:02.000", "12:00:03.000"],
            publisher.Of(ClockTopics.Clock).Select(c => c.Timestamp.ToString("HH:mm:ss.fff")));
    }

    [Fact]
    public async Task Clock_WallClockSetBackAnHour_KeepsTickingEverySecond()
    {
        var time = new FakeTimeProvider(Start);
        var publisher = new RecordingPublisher();
        using var clock = Clock(time, publisher);

        await clock.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => time.WaitingTimers == 1, TimeSpan.FromSeconds(10), "the clock waiting for its next tick");
        time.StepWallClock(-TimeSpan.FromHours(1));
        time.Advance(TimeSpan.FromMilliseconds(700));
        await Eventually.TrueAsync(() => time.WaitingTimers == 1, TimeSpan.FromSeconds(10), "the clock waiting again");
        time.Advance(TimeSpan.FromSeconds(1));

        await Eventually.TrueAsync(() => publisher.Of(ClockTopics.Clock).Count() == 2, TimeSpan.FromSeconds(10), "a tick at the new time's next second");
        await clock.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["12:00:00.300", "11:00:02.000"], publisher.Of(ClockTopics.Clock).Select(c => c.Timestamp.ToString("HH:mm:ss.fff")));
    }

    [Theory]
    [InlineData(300, new[] { 250, 450, 1000 }, new[] { "12:00:00.550", "12:00:01.000", "12:00:02.000" })]
    // A first sample at .800 would be followed 200 ms later by the next: the tick at 01.000 is skipped.
    [InlineData(550, new[] { 250, 1200, 1000 }, new[] { "12:00:00.800", "12:00:02.000", "12:00:03.000" })]
    public async Task Metrics_FirstSampleAfterTheBaseline_ThenOnTheClocksSeconds(int startMs, int[] steps, string[] expected)
    {
        var time = new FakeTimeProvider(Start.AddMilliseconds(startMs - 300));
        var publisher = new RecordingPublisher();
        using var metrics = new MetricsProducer(new StampingSampler(time), publisher, time, Options.Create(new MetricsOptions()),
            new RestartPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), NullLogger<MetricsProducer>.Instance);

        await metrics.StartAsync(TestContext.Current.CancellationToken);
        foreach (var step in steps)
        {
            await Eventually.TrueAsync(() => time.WaitingTimers == 1, TimeSpan.FromSeconds(10), "metrics waiting for the next sample");
            time.Advance(TimeSpan.FromMilliseconds(step));
        }

        await Eventually.TrueAsync(() => publisher.Of(MetricsTopics.Memory).Count() == 3, TimeSpan.FromSeconds(10), "three samples");
        await metrics.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(expected, publisher.Of(MetricsTopics.Cpu).Select(c => c.Timestamp.ToString("HH:mm:ss.fff")));
    }

    private static ClockProducer Clock(TimeProvider time, RecordingPublisher publisher) =>
        new(publisher, time, Options.Create(new ClockOptions()), new RestartPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), NullLogger<ClockProducer>.Instance);

    private sealed class StampingSampler(TimeProvider time) : IMetricsSampler
    {
        public (CpuSample Cpu, MemorySample Memory) Sample()
        {
            var now = time.GetUtcNow();
            return (new CpuSample(now, 1, 1, 2, true, false), new MemorySample(now, 100, 50, 50, 10, 5, 0, 0, 0, true, false));
        }
    }
}
