using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SseDashboard.Producers;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Producers;

public sealed class ProducerRestartsTests
{
    [Fact]
    public async Task FaultingRun_IsShownAndRestarted_WithBackoffDoublingUpToTheCap()
    {
        var time = new RecordingDelays();
        var faults = new List<string>();
        var runs = 0;

        await ProducerRestarts.RunAsync(
            "test",
            _ => ++runs <= 7 ? throw new InvalidOperationException($"fault {runs}") : Task.CompletedTask,
            (ex, _) =>
            {
                faults.Add(ex.Message);
                return ValueTask.CompletedTask;
            },
            new RestartPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)),
            NullLogger.Instance,
            time,
            TestContext.Current.CancellationToken);

        Assert.Equal(8, runs);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"fault {i}"), faults);
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], time.Delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task FaultWhileShowingTheFault_IsLogged_AndTheProducerStillRestarts()
    {
        var runs = 0;

        await ProducerRestarts.RunAsync(
            "test",
            _ => ++runs == 1 ? throw new InvalidOperationException("first") : Task.CompletedTask,
            (_, _) => throw new IOException("cannot show"),
            new RestartPolicy(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1)),
            NullLogger.Instance,
            TimeProvider.System,
            TestContext.Current.CancellationToken);

        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task MetricsProducer_SamplerThrowsOnce_PublishesErrorStateOnBothTopics_ThenRecovers()
    {
        var publisher = new RecordingPublisher();
        var options = Options.Create(new DashboardOptions { Metrics = { Interval = TimeSpan.FromMilliseconds(20) } });
        using var producer = new MetricsProducer(
            new ThrowsOnceSampler(),
            publisher,
            TimeProvider.System,
            options,
            new RestartPolicy(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100)),
            NullLogger<MetricsProducer>.Instance);

        await producer.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(
            () => publisher.Of(DashboardTopics.Cpu).Any(c => c.Error is null),
            TimeSpan.FromSeconds(10),
            "a normal cpu sample after the restart");
        await producer.StopAsync(TestContext.Current.CancellationToken);

        var cpu = publisher.Of(DashboardTopics.Cpu).ToList();
        Assert.Equal("Metrics sampling failed: /proc vanished", cpu[0].Error);
        Assert.Null(cpu[0].SystemPercent);
        Assert.Equal("Metrics sampling failed: /proc vanished", publisher.Of(DashboardTopics.Memory).First().Error);
        Assert.Equal(42, cpu.First(c => c.Error is null).SystemPercent);
    }

    private sealed class ThrowsOnceSampler : IMetricsSampler
    {
        private int _calls;

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

    /// <summary>Records each backoff delay and lets it elapse at once.</summary>
    private sealed class RecordingDelays : TimeProvider
    {
        public List<TimeSpan> Delays { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Delays.Add(dueTime);
            return System.CreateTimer(callback, state, TimeSpan.Zero, period);
        }
    }
}
