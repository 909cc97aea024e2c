using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SseDashboard.Clock;
using SseDashboard.Producers;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Clock;

/// <summary>The clock producer on a fake clock (ticks on the wall clock's boundaries) and on the real one (faults).</summary>
public sealed class ClockProducerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, 300, TimeSpan.Zero);

    [Fact]
    public async Task Clock_PublishesAtOnce_ThenOnEverySecond_AsAWallClockChanges()
    {
        var time = new TimerCountingTimeProvider(Start);
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
        var time = new TimerCountingTimeProvider(Start);
        var publisher = new RecordingPublisher();
        using var clock = Clock(time, publisher);

        await clock.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => time.WaitingTimers == 1, TimeSpan.FromSeconds(10), "the clock waiting for its next tick");
        time.AdjustTime(time.GetUtcNow() - TimeSpan.FromHours(1));
        time.Advance(TimeSpan.FromMilliseconds(700));
        await Eventually.TrueAsync(() => time.WaitingTimers == 1, TimeSpan.FromSeconds(10), "the clock waiting again");
        time.Advance(TimeSpan.FromSeconds(1));

        await Eventually.TrueAsync(() => publisher.Of(ClockTopics.Clock).Count() == 2, TimeSpan.FromSeconds(10), "a tick at the new time's next second");
        await clock.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["12:00:00.300", "11:00:02.000"], publisher.Of(ClockTopics.Clock).Select(c => c.Timestamp.ToString("HH:mm:ss.fff")));
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

    private static ClockProducer Clock(TimeProvider time, RecordingPublisher publisher) =>
        new(publisher, time, Options.Create(new ClockOptions()), new RestartPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), NullLogger<ClockProducer>.Instance);
}
