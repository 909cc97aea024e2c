using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SseDashboard.Metrics;
using SseDashboard.Producers;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Metrics;

/// <summary>The metrics producer on a fake clock (when it samples) and on the real one (faults).</summary>
public sealed class MetricsProducerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, 300, TimeSpan.Zero);

    [Theory]
    [InlineData(300, new[] { 250, 450, 1000 }, new[] { "12:00:00.550", "12:00:01.000", "12:00:02.000" })]
    // A first sample at .800 would be followed 200 ms later by the next: the tick at 01.000 is skipped.
    [InlineData(550, new[] { 250, 1200, 1000 }, new[] { "12:00:00.800", "12:00:02.000", "12:00:03.000" })]
    public async Task Metrics_FirstSampleAfterTheBaseline_ThenOnTheClocksSeconds(int startMs, int[] steps, string[] expected)
    {
        var time = new TimerCountingTimeProvider(Start.AddMilliseconds(startMs - 300));
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

    [Fact]
    public async Task MetricsProducer_SamplerThrowsOnce_PublishesErrorStateOnBothTopics_ThenRecovers()
    {
        var publisher = new RecordingPublisher();
        using var producer = Metrics(new ThrowsOnceSampler(), publisher, TimeSpan.FromMilliseconds(20));

        await producer.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(
            () => publisher.Of(MetricsTopics.Cpu).Any(c => c.Error is null),
            TimeSpan.FromSeconds(10),
            "a normal cpu sample after the restart");
        await producer.StopAsync(TestContext.Current.CancellationToken);

        var cpu = publisher.Of(MetricsTopics.Cpu).ToList();
        Assert.Equal("Metrics sampling failed: /proc vanished", cpu[0].Error);
        Assert.Null(cpu[0].SystemPercent);
        Assert.Equal("Metrics sampling failed: /proc vanished", publisher.Of(MetricsTopics.Memory).First().Error);
        Assert.Equal(42, cpu.First(c => c.Error is null).SystemPercent);
    }

    [Fact]
    public async Task MetricsProducer_PublishesItsFirstSampleSoonAfterStart_EvenWithALongInterval()
    {
        var publisher = new RecordingPublisher();
        using var producer = Metrics(new ThrowsOnceSampler(calls: 1), publisher, TimeSpan.FromHours(1));

        await producer.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(
            () => publisher.Of(MetricsTopics.Cpu).Any() && publisher.Of(MetricsTopics.Memory).Any(),
            TimeSpan.FromSeconds(10),
            "a first cpu and memory sample before the first hourly tick");
        await producer.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(42, Assert.Single(publisher.Of(MetricsTopics.Cpu)).SystemPercent);
    }

    private static MetricsProducer Metrics(IMetricsSampler sampler, IEventPublisher publisher, TimeSpan interval) =>
        new(
            sampler,
            publisher,
            TimeProvider.System,
            Options.Create(new MetricsOptions { Interval = interval }),
            new RestartPolicy(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100)),
            NullLogger<MetricsProducer>.Instance);

    /// <summary>Throws on the first call (or never, with <c>calls: 1</c> counted as already made).</summary>
    private sealed class ThrowsOnceSampler(int calls = 0) : IMetricsSampler
    {
        private int _calls = calls;

        public (CpuSample Cpu, MemorySample Memory) Sample()
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                throw new IOException("/proc vanished");
            }

            var now = DateTimeOffset.UtcNow;
            return (new CpuSample(now, 42, 1, 2, true, false), new MemorySample(now, 100, 50, 50, 10, 5, 0, 0, 0, true, false));
        }
    }

    private sealed class StampingSampler(TimeProvider time) : IMetricsSampler
    {
        public (CpuSample Cpu, MemorySample Memory) Sample()
        {
            var now = time.GetUtcNow();
            return (new CpuSample(now, 1, 1, 2, true, false), new MemorySample(now, 100, 50, 50, 10, 5, 0, 0, 0, true, false));
        }
    }
}
