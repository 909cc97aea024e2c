using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Streaming;

public sealed class ReplayTests
{
    private readonly CountingRenderer _renderer = new();
    private readonly Topic<TextPayload> _ticks = TestTopics.NewStream("ticks");
    private readonly Topic<TextPayload> _gauge = TestTopics.NewState("gauge");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<List<SseEvent>> PublishTicksAsync(EventHub hub, int count, string prefix = "t")
    {
        var events = new List<SseEvent>();
        for (var i = 0; i < count; i++)
        {
            events.Add(await hub.PublishAsync(_ticks, new TextPayload($"{prefix}{i}"), Ct));
        }

        return events;
    }

    [Fact]
    public async Task Subscribe_WithoutId_GetsNewestStateAndRetainedStream()
    {
        var hub = HubFactory.Create(_renderer, _ticks, _gauge);
        await hub.PublishAsync(_gauge, new TextPayload("old"), Ct);
        var ticks = await PublishTicksAsync(hub, 3);
        var gauge = await hub.PublishAsync(_gauge, new TextPayload("new"), Ct);

        var batch = (await hub.SubscribeAsync([_ticks, _gauge], SseFormat.Json, null, cancellationToken: Ct)).Drain();

        Assert.Equal([.. ticks.Select(e => e.Id), gauge.Id], batch.Select(e => e.Id));
        Assert.DoesNotContain(batch, e => e.Text().Contains("\"reset\":true"));
    }

    [Fact]
    public async Task Replay_KnownLastEventId_SendsEveryEventAfterIt_NoDuplicateNoGap()
    {
        var hub = HubFactory.Create(_renderer, _ticks, _gauge);
        var ticks = await PublishTicksAsync(hub, 10);

        var subscriber = await hub.SubscribeAsync([_ticks], SseFormat.Json, ticks[3].Id, cancellationToken: Ct);
        var replayed = subscriber.Drain();
        var live = await PublishTicksAsync(hub, 2, "live");

        Assert.Equal(ticks.Skip(4).Select(e => e.Id), replayed.Select(e => e.Id));
        Assert.Equal(live.Select(e => e.Id), subscriber.Drain().Select(e => e.Id));
    }

    [Fact]
    public async Task Replay_StateTopic_SendsNewestOnlyWhenNewerThanTheId()
    {
        var hub = HubFactory.Create(_renderer, _ticks, _gauge);
        var gauge = await hub.PublishAsync(_gauge, new TextPayload("g"), Ct);
        var tick = await hub.PublishAsync(_ticks, new TextPayload("t"), Ct);

        var upToDate = await hub.SubscribeAsync([_ticks, _gauge], SseFormat.Json, tick.Id, cancellationToken: Ct);
        var behind = await hub.SubscribeAsync([_ticks, _gauge], SseFormat.Json, gauge.Id - 1, cancellationToken: Ct);

        Assert.Empty(upToDate.Drain());
        Assert.Equal([gauge.Id, tick.Id], behind.Drain().Select(e => e.Id));
    }

    [Fact]
    public async Task Replay_IdOlderThanTheBuffer_SendsResetThenSnapshot()
    {
        var hub = HubFactory.Create(_renderer, new SseOptions { ReplayCapacity = 5 }, _ticks, _gauge);
        var gauge = await hub.PublishAsync(_gauge, new TextPayload("g"), Ct);
        var ticks = await PublishTicksAsync(hub, 12);

        var batch = (await hub.SubscribeAsync([_ticks, _gauge], SseFormat.Json, ticks[2].Id, cancellationToken: Ct)).Drain();

        Assert.Equal("ticks", batch[0].Topic!.Name);
        Assert.Contains("\"reset\":true", batch[0].Text());
        // The gauge value the client already had (older than its id) is not sent again.
        Assert.Equal(ticks.TakeLast(5).Select(e => e.Id), batch.Skip(1).Select(e => e.Id));
        Assert.True(gauge.Id < ticks[2].Id);
        Assert.True(batch[0].Id < batch[1].Id, "the reset comes before the snapshot, in id order");
    }

    [Fact]
    public async Task Replay_IdOlderThanTheBuffer_TheResetsIdIsBeforeEveryIdOfTheSnapshotsFirstEvent()
    {
        // Each batch takes three ids (as a log batch takes one per line): the event's id is its last.
        var batches = new Topic<TextPayload>("batches", TopicKind.Stream, "batches", TestJsonContext.Default.TextPayload, _ => new TextPayload("", Reset: true), idCount: _ => 3);
        var hub = HubFactory.Create(_renderer, new SseOptions { ReplayCapacity = 2 }, batches);
        var published = new List<SseEvent>();
        for (var i = 0; i < 5; i++)
        {
            published.Add(await hub.PublishAsync(batches, new TextPayload($"b{i}"), Ct));
        }

        var batch = (await hub.SubscribeAsync([batches], SseFormat.Json, published[0].Id, cancellationToken: Ct)).Drain();

        Assert.Contains("\"reset\":true", batch[0].Text());
        Assert.Equal(published[3].Id - 3, batch[0].Id);
        Assert.Equal([published[3].Id, published[4].Id], batch.Skip(1).Select(e => e.Id));
    }

    [Theory]
    [InlineData("newer")]
    [InlineData("previous run")]
    [InlineData("garbage")]
    public async Task Replay_IdTheHubNeverIssued_SendsResetThenSnapshot(string kind)
    {
        var hub = HubFactory.Create(_renderer, _ticks, _gauge);
        var gauge = await hub.PublishAsync(_gauge, new TextPayload("g"), Ct);
        var ticks = await PublishTicksAsync(hub, 3);
        long id = kind switch
        {
            "newer" => hub.LastEventId + 1000,
            "previous run" => hub.FirstId - 5000,
            _ => -1, // what the endpoint passes for a Last-Event-ID that is not a number
        };

        var batch = (await hub.SubscribeAsync([_ticks, _gauge], SseFormat.Json, id, cancellationToken: Ct)).Drain();

        Assert.Contains("\"reset\":true", batch[0].Text());
        Assert.Equal([gauge.Id, .. ticks.Select(e => e.Id)], batch.Skip(1).Select(e => e.Id));
    }

    [Fact]
    public async Task Replay_UnknownIdOnStateTopicsOnly_SendsSnapshotWithoutReset()
    {
        var hub = HubFactory.Create(_renderer, _ticks, _gauge);
        var gauge = await hub.PublishAsync(_gauge, new TextPayload("g"), Ct);

        var batch = (await hub.SubscribeAsync([_gauge], SseFormat.Json, hub.LastEventId + 99, cancellationToken: Ct)).Drain();

        Assert.Equal([gauge.Id], batch.Select(e => e.Id));
    }

    [Fact]
    public async Task Subscribe_WhilePublishing_ResumesWithNoDuplicateAndNoGap()
    {
        var hub = HubFactory.Create(_renderer, new SseOptions { ReplayCapacity = 100_000, MaxQueuedEvents = 100_000 }, _ticks);
        const int total = 2000;
        var publisher = Task.Run(
            async () =>
            {
                var events = new List<SseEvent>();
                for (var i = 0; i < total; i++)
                {
                    events.Add(await hub.PublishAsync(_ticks, new TextPayload($"t{i}"), Ct));
                    await Task.Yield();
                }

                return events;
            },
            Ct);

        // Subscribe again each time the publisher has moved on, while it is still publishing.
        var subscribers = new List<(long From, Subscription Subscription)>();
        while (!publisher.IsCompleted && subscribers.Count < 200)
        {
            var from = hub.LastEventId;
            if (subscribers.Count == 0 || subscribers[^1].From != from)
            {
                subscribers.Add((from, await hub.SubscribeAsync([_ticks], SseFormat.Json, from, cancellationToken: Ct)));
            }

            await Task.Yield();
        }

        var all = await publisher;
        Assert.Contains(subscribers, s => s.From > all[0].Id && s.From < all[^1].Id);
        foreach (var (from, subscriber) in subscribers)
        {
            var expected = all.Where(e => e.Id > from).Select(e => e.Id);
            Assert.Equal(expected, subscriber.Drain().Select(e => e.Id));
        }
    }
}
