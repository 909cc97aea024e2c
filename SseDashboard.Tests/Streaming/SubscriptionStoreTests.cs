using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Streaming;

/// <summary>The store of subscriptions on its own: slots, fan-out by topic, overflow, shutdown.</summary>
public sealed class SubscriptionStoreTests
{
    private static readonly Topic<TextPayload> Ticks = TestTopics.NewStream("ticks");
    private static readonly Topic<TextPayload> Gauge = TestTopics.NewState("gauge");

    private static SseEvent Tick(long id) => new(id, Ticks, 0, null, [], []);

    private static SseEvent Reading(long id) => new(id, Gauge, 1, null, [], []);

    private static Subscription Add(SubscriptionStore store, ulong topics, int maxQueued = 100, Action? abort = null)
    {
        var subscription = new Subscription(store, topics, SseFormat.Json, new EventQueue(2, maxQueued), abort);
        store.Add(subscription);
        return subscription;
    }

    private static List<long> Ids(Subscription subscription) =>
        subscription.Queue.TakeBatch().Where(e => e is not null).Select(e => e!.Id).ToList();

    [Fact]
    public void FanOut_QueuesEachEventOnlyToSubscriptionsOfItsTopic_AllInOnePass()
    {
        var store = new SubscriptionStore();
        var ticksOnly = Add(store, 0b01);
        var gaugeOnly = Add(store, 0b10);
        var both = Add(store, 0b11);

        store.FanOut([Tick(1), Reading(2), Tick(3)]);

        Assert.Equal([1, 3], Ids(ticksOnly));
        Assert.Equal([2], Ids(gaugeOnly));
        Assert.Equal([1, 2, 3], Ids(both));
    }

    [Fact]
    public async Task FanOut_WakesEveryWaitingWriter_AcrossWakeBatches()
    {
        var store = new SubscriptionStore();
        // Two full batches and a part one, each writer woken by the first of its two events.
        var subscriptions = Enumerable.Range(0, 2 * WakeBatch.Size + 3).Select(_ => Add(store, 0b11)).ToList();
        subscriptions.ForEach(s => s.Queue.InlineWake = true);
        var waits = subscriptions.Select(s => s.Queue.WaitToReadAsync().AsTask()).ToList();

        store.FanOut([Tick(1), Reading(2)]);

        var woken = await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.All(woken, Assert.True);
        Assert.All(subscriptions, s => Assert.Equal([1, 2], Ids(s)));
    }

    [Fact]
    public async Task FanOut_AReaderThatBlocks_DoesNotHoldUpTheWritersWokenInItsBatch()
    {
        // A reader not marked to wake inline (the alert evaluator's) may block; the stream writers after it may not wait.
        var store = new SubscriptionStore();
        var blocking = Add(store, 0b01);
        var writer = Add(store, 0b01);
        writer.Queue.InlineWake = true;
        using var release = new ManualResetEventSlim();
        var blocked = blocking.Queue.WaitToReadAsync().AsTask()
            .ContinueWith(_ => release.Wait(TimeSpan.FromSeconds(30)), TaskContinuationOptions.ExecuteSynchronously);
        var woken = writer.Queue.WaitToReadAsync().AsTask();

        store.FanOut([Tick(1)]);

        Assert.True(await woken.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        release.Set();
        Assert.True(await blocked.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Dispose_RemovesOnlyThatSubscription_TheOthersKeepReceiving()
    {
        var store = new SubscriptionStore();
        var subscriptions = Enumerable.Range(0, 5).Select(_ => Add(store, 0b01)).ToList();

        subscriptions[1].Dispose();
        subscriptions[3].Dispose();
        subscriptions[3].Dispose(); // twice is harmless
        store.FanOut([Tick(7)]);

        Assert.Equal(3, store.Count);
        Assert.Equal([[7], [], [7], [], [7]], subscriptions.Select(Ids));
        Assert.True(subscriptions[1].Queue.IsCompleted);
    }

    [Fact]
    public void FanOut_AnOverflowingSubscription_IsToldOnce_OthersUnaffected()
    {
        var store = new SubscriptionStore();
        var overflows = 0;
        var stalled = Add(store, 0b01, maxQueued: 2, abort: () => overflows++);
        var healthy = Add(store, 0b01);

        store.FanOut([Tick(1), Tick(2), Tick(3), Tick(4)]);
        store.FanOut([Tick(5)]);

        Assert.Equal(1, overflows);
        Assert.True(stalled.Queue.Overflowed);
        Assert.Equal([1, 2, 3, 4, 5], Ids(healthy));
    }

    [Fact]
    public void Complete_CompletesEverySubscription_AndAnyAddedLater()
    {
        var store = new SubscriptionStore();
        var early = Add(store, 0b01);

        store.Complete();
        var late = Add(store, 0b01);

        Assert.True(store.IsCompleted);
        Assert.True(early.Queue.IsCompleted);
        Assert.True(late.Queue.IsCompleted);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void AbortStalled_AbortsOnlyAWriteWaitingOnItsClientForTheWholeLimit()
    {
        var store = new SubscriptionStore();
        var aborted = new List<string>();
        var stuck = Add(store, 0b01, abort: () => aborted.Add("stuck"));
        var slow = Add(store, 0b01, abort: () => aborted.Add("slow"));
        var idle = Add(store, 0b01, abort: () => aborted.Add("idle"));
        var done = Add(store, 0b01, abort: () => aborted.Add("done"));
        stuck.WriteStarted(100);
        slow.WriteStarted(150);
        done.WriteStarted(100);
        done.WriteFinished();

        store.AbortStalled(now: 200, limit: 100);

        Assert.Equal(["stuck"], aborted);
        Assert.True(stuck.Stalled);
        Assert.True(stuck.Queue.IsCompleted);
        Assert.False(slow.Stalled);
        Assert.False(idle.Stalled);
    }

    [Fact]
    public void AbortAfterTheStreamEnded_DoesNotReachTheConnection()
    {
        // The store aborts outside its lock: a stream may end between its pass and the abort.
        var store = new SubscriptionStore();
        var aborts = 0;
        var overflowed = Add(store, 0b01, abort: () => aborts++);
        var stalled = Add(store, 0b01, abort: () => aborts++);

        overflowed.Dispose();
        overflowed.Abort();
        stalled.Dispose();
        stalled.AbortStalled();

        Assert.Equal(0, aborts);
    }

    [Fact]
    public void HeartbeatTick_ReachesIdleSubscriptionsOnly()
    {
        var store = new SubscriptionStore();
        var idle = Add(store, 0b10);
        var busy = Add(store, 0b01);

        for (var tick = 1; tick <= 4; tick++)
        {
            store.FanOut([Tick(tick)]);
            store.HeartbeatTick(ticksPerBeat: 4);
        }

        Assert.Contains(SseEvent.Heartbeat, idle.Queue.TakeBatch());
        Assert.DoesNotContain(SseEvent.Heartbeat, busy.Queue.TakeBatch());
    }
}
