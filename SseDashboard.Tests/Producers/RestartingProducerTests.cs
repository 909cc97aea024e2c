using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SseDashboard.Producers;
using SseDashboard.Clock;
using SseDashboard.Metrics;
using SseDashboard.LogTail;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Producers;

public sealed class RestartingProducerTests
{
    [Fact]
    public async Task FaultingRun_IsShownAndRestarted_WithBackoffDoublingUpToTheCap()
    {
        var time = new FakeTimeProvider { FireTimersAtOnce = true };
        var faults = new List<string>();
        var runs = 0;

        await new DelegateProducer(
            _ => ++runs <= 7 ? throw new InvalidOperationException($"fault {runs}") : Task.CompletedTask,
            (ex, _) =>
            {
                faults.Add(ex.Message);
                return ValueTask.CompletedTask;
            },
            new RestartPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)),
            time).RunWithRestartsAsync(TestContext.Current.CancellationToken);

        Assert.Equal(8, runs);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"fault {i}"), faults);
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], time.TimerDueTimes.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task FaultAfterAHealthyRunLongerThanTheCap_StartsTheBackoffAgainFromTheBottom()
    {
        var time = new FakeTimeProvider { FireTimersAtOnce = true };
        var runs = 0;

        await new DelegateProducer(
            _ =>
            {
                runs++;
                if (runs == 3)
                {
                    time.Advance(TimeSpan.FromSeconds(31)); // the third run stays up for 31 s before it fails
                }

                return runs <= 4 ? throw new InvalidOperationException($"fault {runs}") : Task.CompletedTask;
            },
            (_, _) => ValueTask.CompletedTask,
            new RestartPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)),
            time).RunWithRestartsAsync(TestContext.Current.CancellationToken);

        Assert.Equal([1, 2, 1, 2], time.TimerDueTimes.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task FaultWhileShowingTheFault_IsLogged_AndTheProducerStillRestarts()
    {
        var runs = 0;

        await new DelegateProducer(
            _ => ++runs == 1 ? throw new InvalidOperationException("first") : Task.CompletedTask,
            (_, _) => throw new IOException("cannot show"),
            new RestartPolicy(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1)),
            TimeProvider.System).RunWithRestartsAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, runs);
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

    [Fact]
    public async Task ClockProducer_PublishFailsOnce_ShowsTheFaultOnTheClock_ThenTicksOn()
    {
        var publisher = new FailsOncePublisher(payload => payload is ClockSample { Error: null });
        var options = Options.Create(new ClockOptions { Interval = TimeSpan.FromMilliseconds(20) });
        using var producer = new ClockProducer(
            publisher,
            TimeProvider.System,
            options,
            new RestartPolicy(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100)),
            NullLogger<ClockProducer>.Instance);

        await producer.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(
            () => publisher.Inner.Of(ClockTopics.Clock).Count(c => c.Error is null) >= 2,
            TimeSpan.FromSeconds(10),
            "the clock ticking again after the fault");
        await producer.StopAsync(TestContext.Current.CancellationToken);

        var clock = publisher.Inner.Of(ClockTopics.Clock).ToList();
        Assert.Equal("The clock failed: hub unavailable", clock[0].Error);
        Assert.All(clock.Skip(1), c => Assert.Null(c.Error));
    }

    private static MetricsProducer Metrics(IMetricsSampler sampler, IEventPublisher publisher, TimeSpan interval) =>
        new(
            sampler,
            publisher,
            TimeProvider.System,
            Options.Create(new MetricsOptions { Interval = interval }),
            new RestartPolicy(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100)),
            NullLogger<MetricsProducer>.Instance);

    [Fact]
    public async Task LogTailProducer_PublishFailsOnce_ShowsAnErrorMarker_SkipsThatBatch_AndFollowsOn()
    {
        using var dir = new TempDirectory();
        var log = dir.File("app.log");
        File.WriteAllText(log, "first\n");
        var publisher = new FailsOncePublisher(payload => payload is LogBatch { Kind: LogKinds.Lines });
        var options = Options.Create(new LogTailOptions { Paths = [log], PollInterval = TimeSpan.FromMilliseconds(10) });
        using var producer = new LogTailProducer(
            publisher,
            TimeProvider.System,
            options,
            new RestartPolicy(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100)),
            NullLogger<LogTailProducer>.Instance);

        await producer.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => publisher.Inner.Of(LogTailTopics.Log).Any(), TimeSpan.FromSeconds(10), "the error marker");
        File.AppendAllText(log, "second\n");
        await Eventually.TrueAsync(
            () => publisher.Inner.Of(LogTailTopics.Log).Any(b => b.Lines.Any(l => l.Text == "second")),
            TimeSpan.FromSeconds(10),
            "lines written after the restart");
        await producer.StopAsync(TestContext.Current.CancellationToken);

        var batches = publisher.Inner.Of(LogTailTopics.Log).ToList();
        Assert.Equal(LogKinds.Error, batches[0].Kind);
        Assert.Equal("The log follower failed: hub unavailable", batches[0].Error);
        Assert.Equal(["second"], batches.Skip(1).SelectMany(b => b.Lines).Select(l => l.Text));
    }

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

    /// <summary>A producer whose loop and fault display are the test's.</summary>
    private sealed class DelegateProducer(
        Func<CancellationToken, Task> run,
        Func<Exception, CancellationToken, ValueTask> showFault,
        RestartPolicy policy,
        TimeProvider time) : RestartingProducer("test", policy, time, NullLogger.Instance)
    {
        public Task RunWithRestartsAsync(CancellationToken cancellationToken) => ExecuteAsync(cancellationToken);

        protected override Task RunAsync(CancellationToken stoppingToken) => run(stoppingToken);

        protected override ValueTask ShowFaultAsync(Exception fault, CancellationToken stoppingToken) => showFault(fault, stoppingToken);
    }
}
