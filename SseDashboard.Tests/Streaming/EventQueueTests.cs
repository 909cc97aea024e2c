using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Streaming;

/// <summary>The per-connection queue on its own: no hub, events made by hand.</summary>
public sealed class EventQueueTests
{
    private const int StateTopic = 0;
    private const int StreamTopic = 1;
    private static readonly Topic<TextPayload> Gauge = TestTopics.NewState("gauge");
    private static readonly Topic<TextPayload> Ticks = TestTopics.NewStream("ticks");

    private static SseEvent State(long id) => new(id, Gauge, StateTopic, null, [], []);

    private static SseEvent Stream(long id) => new(id, Ticks, StreamTopic, null, [], []);

    private static List<long> Take(EventQueue queue) => queue.TakeBatch().Where(e => e is not null).Select(e => e!.Id).ToList();

    [Fact]
    public void StateEvents_Coalesce_TheNewestMovesToTheBack_SoIdsStayIncreasing()
    {
        var queue = new EventQueue(topicCount: 2, maxQueuedStreamEvents: 10);

        queue.Enqueue(State(1));
        queue.Enqueue(Stream(2));
        queue.Enqueue(State(3));

        Assert.Equal([2, 3], Take(queue));
    }

    [Fact]
    public void StreamEvents_PastTheBound_Overflow_AndCompleteTheQueue()
    {
        var queue = new EventQueue(topicCount: 2, maxQueuedStreamEvents: 3);

        Assert.True(queue.Enqueue(Stream(1)));
        Assert.True(queue.Enqueue(Stream(2)));
        Assert.True(queue.Enqueue(Stream(3)));
        Assert.False(queue.Enqueue(Stream(4)));

        Assert.True(queue.Overflowed);
        Assert.True(queue.IsCompleted);
        Assert.Equal([1, 2, 3], Take(queue));
    }

    [Fact]
    public void StateEvents_NeverOverflow_HoweverManyArrive()
    {
        var queue = new EventQueue(topicCount: 2, maxQueuedStreamEvents: 1);

        for (var id = 1; id <= 10_000; id++)
        {
            Assert.True(queue.Enqueue(State(id)));
        }

        Assert.False(queue.Overflowed);
        Assert.True(queue.Capacity <= 8, $"the queue grew to {queue.Capacity} slots for one state topic");
        Assert.Equal([10_000], Take(queue));
    }

    [Fact]
    public void Preload_DoesNotCountAgainstTheBound_AndTakingABatchResetsIt()
    {
        var queue = new EventQueue(topicCount: 2, maxQueuedStreamEvents: 2);

        queue.Preload([Stream(1), Stream(2), Stream(3), State(4)]);
        Assert.True(queue.Enqueue(Stream(5)));
        Assert.True(queue.Enqueue(Stream(6)));
        Assert.Equal([1, 2, 3, 4, 5, 6], Take(queue));

        Assert.True(queue.Enqueue(Stream(7)));
        Assert.True(queue.Enqueue(Stream(8)));
        Assert.False(queue.Overflowed);
    }

    [Fact]
    public void Preload_StateEvent_IsReplacedByALiveOne()
    {
        var queue = new EventQueue(topicCount: 2, maxQueuedStreamEvents: 10);

        queue.Preload([State(1)]);
        queue.Enqueue(State(2));

        Assert.Equal([2], Take(queue));
    }

    [Fact]
    public void HeartbeatTick_QueuesACommentOnlyAfterAWholeIdleInterval()
    {
        var queue = new EventQueue(topicCount: 2, maxQueuedStreamEvents: 10);
        var beats = new List<int>();

        for (var tick = 1; tick <= 12; tick++)
        {
            if (tick == 6)
            {
                queue.Enqueue(Stream(tick)); // activity restarts the idle count
            }

            queue.HeartbeatTick(ticksPerBeat: 4);
            if (queue.TakeBatch().Any(e => ReferenceEquals(e, SseEvent.Heartbeat)))
            {
                beats.Add(tick);
            }
        }

        Assert.Equal([4, 9], beats.Take(2));
        Assert.DoesNotContain(6, beats);
    }

    [Fact]
    public async Task WaitToRead_WakesOnEnqueue_AndEndsFalseOnceCompletedAndDrained()
    {
        var queue = new EventQueue(topicCount: 2, maxQueuedStreamEvents: 10);
        var wait = queue.WaitToReadAsync().AsTask();
        Assert.False(wait.IsCompleted);

        queue.Enqueue(Stream(1));
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Take(queue);

        var ending = queue.WaitToReadAsync().AsTask();
        queue.Complete();
        await ending.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Empty(Take(queue));
        Assert.False(await queue.WaitToReadAsync());
    }

    [Fact]
    public async Task Completed_WithEventsLeft_StillHandsThemOut()
    {
        var queue = new EventQueue(topicCount: 2, maxQueuedStreamEvents: 10);
        queue.Enqueue(Stream(1));

        queue.Complete();

        Assert.True(await queue.WaitToReadAsync());
        Assert.Equal([1], Take(queue));
        Assert.True(queue.Enqueue(Stream(2)), "a completed queue reports no new overflow");
        Assert.Empty(Take(queue));
    }
}
