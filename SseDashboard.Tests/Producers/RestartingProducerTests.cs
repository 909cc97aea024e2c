using Microsoft.Extensions.Logging.Abstractions;
using SseDashboard.Producers;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Producers;

public sealed class RestartingProducerTests
{
    [Fact]
    public async Task FaultingRun_IsShownAndRestarted_WithBackoffDoublingUpToTheCap()
    {
        var time = new TimerCountingTimeProvider { AdvanceToEachTimer = true };
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
        var time = new TimerCountingTimeProvider { AdvanceToEachTimer = true };
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
