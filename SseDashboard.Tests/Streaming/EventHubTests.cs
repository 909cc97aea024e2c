using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Streaming;

public sealed class EventHubTests
{
    private readonly CountingRenderer _renderer = new();
    private readonly Topic<TextPayload> _ticks = TestTopics.NewStream("ticks");
    private readonly Topic<TextPayload> _gauge = TestTopics.NewState("gauge");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publish_ManySubscribers_RendersOncePerFormatAndSharesTheSameBytes()
    {
        var hub = HubFactory.Create(_renderer, _ticks, _gauge);
        var subscribers = new List<Subscription>();
        for (var i = 0; i < 200; i++)
        {
            subscribers.Add(await hub.SubscribeAsync([_ticks, _gauge], i % 2 == 0 ? SseFormat.Html : SseFormat.Json, null, cancellationToken: Ct));
        }

        for (var i = 0; i < 50; i++)
        {
            await hub.PublishAsync(_ticks, new TextPayload($"t{i}"), Ct);
        }

        await hub.PublishAsync(_gauge, new TextPayload("g"), Ct);

        Assert.Equal(51, _renderer.HtmlRenders);
        Assert.Equal(51, _renderer.JsonRenders);
        var batches = subscribers.Select(s => s.Drain()).ToList();
        Assert.All(batches, b => Assert.Equal(51, b.Count));
        for (var i = 0; i < 51; i++)
        {
            // The very same encoded frame object (and so the same byte arrays) reaches every subscriber.
            Assert.All(batches, b => Assert.Same(batches[0][i], b[i]));
        }
    }

    [Fact]
    public async Task Publish_AssignsStrictlyIncreasingIdsAcrossTopics_AndDeliversInOrder()
    {
        var hub = HubFactory.Create(_renderer, _ticks, _gauge);
        var subscriber = await hub.SubscribeAsync([_ticks, _gauge], SseFormat.Json, null, cancellationToken: Ct);

        var published = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            published.Add((await hub.PublishAsync(i % 5 == 0 ? _gauge : _ticks, new TextPayload($"{i}"), Ct)).Id);
            if (i % 3 == 0)
            {
                Assert.True(published.SequenceEqual(published.Order()));
            }
        }

        Assert.Equal(published.Order(), published);
        Assert.Equal(published.Count, published.Distinct().Count());
        Assert.Equal(hub.FirstId, published[0]);
        Assert.Equal(published[^1], hub.LastEventId);
        var delivered = subscriber.Drain().Select(e => e.Id).ToList();
        Assert.Equal(delivered.Order(), delivered);
    }

    [Fact]
    public async Task ATopicCountingItems_TakesAnIdPerItem_TheEventsIdBeingItsLastItems()
    {
        var words = new Topic<TextPayload>("words", TopicKind.Stream, "Words", TestJsonContext.Default.TextPayload, idCount: p => p.Text.Split(' ').Length);
        var hub = HubFactory.Create(_renderer, words, _gauge);

        var three = await hub.PublishAsync(words, new TextPayload("a b c"), Ct);
        var gauge = await hub.PublishAsync(_gauge, new TextPayload("g"), Ct);

        Assert.Equal(hub.FirstId + 2, three.Id);
        Assert.Equal(three.Id + 1, gauge.Id);
    }

    [Fact]
    public async Task PublishAll_GivesConsecutiveIds_QueuedTogether_EachToItsSubscribers()
    {
        var hub = HubFactory.Create(_renderer, _ticks, _gauge);
        var both = await hub.SubscribeAsync([_ticks, _gauge], SseFormat.Html, null, cancellationToken: Ct);
        var gaugeOnly = await hub.SubscribeAsync([_gauge], SseFormat.Html, null, cancellationToken: Ct);
        var waiting = both.Queue.WaitToReadAsync().AsTask();

        var events = await hub.PublishAllAsync([_gauge.With(new TextPayload("g")), _ticks.With(new TextPayload("t"))], Ct);

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.Equal(events[0].Id + 1, events[1].Id);
        Assert.Equal(events, both.Drain());
        Assert.Equal([events[0]], gaugeOnly.Drain());
        Assert.Equal(2, _renderer.HtmlRenders);
        await Assert.ThrowsAsync<ArgumentException>(async () => await hub.PublishAllAsync([new Publication(_gauge, "not a TextPayload")], Ct));
    }

    [Fact]
    public async Task Publish_OnlyReachesSubscribersOfThatTopic()
    {
        var hub = HubFactory.Create(_renderer, _ticks, _gauge);
        var ticksOnly = await hub.SubscribeAsync([_ticks], SseFormat.Json, null, cancellationToken: Ct);
        var gaugeOnly = await hub.SubscribeAsync([_gauge], SseFormat.Json, null, cancellationToken: Ct);

        await hub.PublishAsync(_ticks, new TextPayload("a"), Ct);

        Assert.Equal(["ticks"], ticksOnly.Drain().Select(e => e.Topic!.Name));
        Assert.Empty(gaugeOnly.Drain());
    }

    [Fact]
    public async Task StateTopic_LaggingSubscriber_GetsOnlyTheNewestValue_AfterEarlierStreamEvents()
    {
        var hub = HubFactory.Create(_renderer, _ticks, _gauge);
        var lagging = await hub.SubscribeAsync([_ticks, _gauge], SseFormat.Json, null, cancellationToken: Ct);

        await hub.PublishAsync(_gauge, new TextPayload("g0"), Ct);
        await hub.PublishAsync(_ticks, new TextPayload("t0"), Ct);
        for (var i = 1; i <= 1000; i++)
        {
            await hub.PublishAsync(_gauge, new TextPayload($"g{i}"), Ct);
        }

        var batch = lagging.Drain();

        Assert.Equal(2, batch.Count);
        Assert.Contains("t0", batch[0].Text());
        Assert.Contains("g1000", batch[1].Text());
        Assert.True(batch[0].Id < batch[1].Id, "ids never go backwards for a client");
    }

    [Fact]
    public async Task StreamTopic_SubscriberBeyondTheBound_IsDisconnected_WhileOthersGetEverything()
    {
        var hub = HubFactory.Create(_renderer, new SseOptions { MaxQueuedEvents = 10 }, _ticks);
        var overflowCalls = 0;
        var stalled = await hub.SubscribeAsync([_ticks], SseFormat.Json, null, abort: () => overflowCalls++, cancellationToken: Ct);
        var healthy = await hub.SubscribeAsync([_ticks], SseFormat.Json, null, cancellationToken: Ct);

        var received = new List<SseEvent>();
        for (var i = 0; i < 11; i++)
        {
            await hub.PublishAsync(_ticks, new TextPayload($"t{i}"), Ct);
            received.AddRange(healthy.Drain());
        }

        Assert.True(stalled.Queue.Overflowed);
        Assert.True(stalled.Queue.IsCompleted);
        Assert.Equal(1, overflowCalls);
        Assert.Equal(11, received.Count);
        Assert.False(healthy.Queue.Overflowed);
    }

    [Fact]
    public async Task StalledSubscriber_MemoryStaysBounded_WhateverIsPublished()
    {
        var hub = HubFactory.Create(_renderer, new SseOptions { MaxQueuedEvents = 8 }, _ticks, _gauge);
        var stalled = await hub.SubscribeAsync([_gauge], SseFormat.Json, null, cancellationToken: Ct);

        for (var i = 0; i < 10_000; i++)
        {
            await hub.PublishAsync(_gauge, new TextPayload($"g{i}"), Ct);
        }

        Assert.True(stalled.Queue.Capacity <= 8, $"queue grew to {stalled.Queue.Capacity} slots for one state topic");
        Assert.Single(stalled.Drain());
    }

    [Fact]
    public async Task WaitToRead_CompletesWhenAnEventIsPublished()
    {
        var hub = HubFactory.Create(_renderer, _ticks);
        var subscriber = await hub.SubscribeAsync([_ticks], SseFormat.Json, null, cancellationToken: Ct);

        var wait = subscriber.Queue.WaitToReadAsync().AsTask();
        Assert.False(wait.IsCompleted);
        await hub.PublishAsync(_ticks, new TextPayload("x"), Ct);

        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.Single(subscriber.Drain());
    }

    [Fact]
    public async Task Complete_WakesWritersAndRefusesNewSubscribers()
    {
        var hub = HubFactory.Create(_renderer, _ticks);
        var subscriber = await hub.SubscribeAsync([_ticks], SseFormat.Json, null, cancellationToken: Ct);
        var wait = subscriber.Queue.WaitToReadAsync().AsTask();

        hub.Complete();

        await wait.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.False(await subscriber.Queue.WaitToReadAsync());
        var late = await hub.SubscribeAsync([_ticks], SseFormat.Json, null, cancellationToken: Ct);
        Assert.True(late.Queue.IsCompleted);
    }

    [Fact]
    public async Task Dispose_RemovesTheSubscriber()
    {
        var hub = HubFactory.Create(_renderer, _ticks);
        var a = await hub.SubscribeAsync([_ticks], SseFormat.Json, null, cancellationToken: Ct);
        var b = await hub.SubscribeAsync([_ticks], SseFormat.Json, null, cancellationToken: Ct);
        var c = await hub.SubscribeAsync([_ticks], SseFormat.Json, null, cancellationToken: Ct);

        a.Dispose();
        Assert.Equal(2, hub.SubscriberCount);
        c.Dispose();
        await hub.PublishAsync(_ticks, new TextPayload("x"), Ct);

        Assert.Equal(1, hub.SubscriberCount);
        Assert.Single(b.Drain());
        Assert.Empty(a.Drain());
    }

    [Fact]
    public async Task Heartbeat_ReachesOnlySubscribersQuietForAWholeInterval_SoNoneIsQuietLonger()
    {
        var hub = HubFactory.Create(_renderer, _ticks, _gauge);
        var idle = await hub.SubscribeAsync([_gauge], SseFormat.Html, null, cancellationToken: Ct);
        var busy = await hub.SubscribeAsync([_ticks], SseFormat.Html, null, cancellationToken: Ct);
        var beats = (Idle: new List<long>(), Busy: new List<long>());

        for (var tick = 1; tick <= 3 * EventHub.HeartbeatTicksPerInterval; tick++)
        {
            if (tick == 3)
            {
                // Just after a tick: the next beat is due a whole interval later, not at the next interval boundary.
                await hub.PublishAsync(_ticks, new TextPayload("x"), Ct);
                Assert.Single(busy.Drain());
            }

            hub.Heartbeat();
            beats.Idle.AddRange(idle.Drain().Where(e => e.Text(SseFormat.Html) == ":\n\n").Select(_ => (long)tick));
            beats.Busy.AddRange(busy.Drain().Where(e => e.Text(SseFormat.Html) == ":\n\n").Select(_ => (long)tick));
        }

        Assert.Equal([4, 8, 12], beats.Idle);
        Assert.Equal([6, 10], beats.Busy);
    }
}
