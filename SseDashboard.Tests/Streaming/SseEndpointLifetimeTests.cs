using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Streaming;

/// <summary><c>/sse</c> over a connection's life: resume, disconnect, stalled readers, shutdown.</summary>
public sealed class SseEndpointLifetimeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<DashboardServer> StartWithTopicAsync(Topic<TextPayload> topic, IDictionary<string, string?>? settings = null) =>
        SseEndpointTests.StartWithTopicAsync(topic, settings);

    [Fact]
    public async Task Resume_LastEventIdHeader_SendsEveryLaterEventThenLive_NoDuplicateNoGap()
    {
        var ticks = TestTopics.NewStream();
        await using var server = await StartWithTopicAsync(ticks);
        var hub = server.GetRequiredService<EventHub>();
        var published = new List<SseEvent>();
        for (var i = 0; i < 5; i++)
        {
            published.Add(await hub.PublishAsync(ticks, new TextPayload($"t{i}"), Ct));
        }

        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=ticks&format=json&lastEventId=1", published[1].Id.ToString());
        published.Add(await hub.PublishAsync(ticks, new TextPayload("live"), Ct));

        foreach (var expected in published.Skip(2))
        {
            var item = await sse.NextAsync();
            Assert.Equal(expected.Id.ToString(), item.EventId);
            Assert.Equal("ticks", item.EventType);
        }
    }

    [Fact]
    public async Task Resume_LastEventIdQuery_WorksWithoutTheHeader()
    {
        var ticks = TestTopics.NewStream();
        await using var server = await StartWithTopicAsync(ticks);
        var hub = server.GetRequiredService<EventHub>();
        var first = await hub.PublishAsync(ticks, new TextPayload("a"), Ct);
        var second = await hub.PublishAsync(ticks, new TextPayload("b"), Ct);

        await using var sse = await SseClient.ConnectAsync(server.Client, $"/sse?topics=ticks&format=json&lastEventId={first.Id}");

        Assert.Equal(second.Id.ToString(), (await sse.NextAsync()).EventId);
    }

    [Fact]
    public async Task Resume_UnknownId_SendsResetThenSnapshot()
    {
        var ticks = TestTopics.NewStream();
        await using var server = await StartWithTopicAsync(ticks);
        var hub = server.GetRequiredService<EventHub>();
        var only = await hub.PublishAsync(ticks, new TextPayload("kept"), Ct);

        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=ticks&format=json", "99");

        var reset = await sse.NextAsync();
        Assert.True(JsonDocument.Parse(reset.Data).RootElement.GetProperty("reset").GetBoolean());
        Assert.Equal(only.Id.ToString(), (await sse.NextAsync()).EventId);
    }

    [Fact]
    public async Task Disconnect_IsForgottenWithinASecond()
    {
        await using var server = await DashboardServer.StartAsync();
        var hub = server.GetRequiredService<EventHub>();
        var sse = await SseClient.ConnectAsync(server.Client, "/sse");
        await sse.NextAsync();
        Assert.Equal(1, hub.SubscriberCount);

        await sse.DisposeAsync();

        await Eventually.TrueAsync(() => hub.SubscriberCount == 0, TimeSpan.FromSeconds(1), "a closed connection leaves the hub");
    }

    [Fact]
    public async Task Shutdown_WithOpenStreams_FinishesWithinTwoSeconds_EveryStreamEndingCleanly()
    {
        var server = await DashboardServer.StartAsync();
        var streams = new List<(HttpResponseMessage Response, Stream Body)>();
        for (var i = 0; i < 50; i++)
        {
            var response = await server.Client.GetAsync("/sse?format=json", HttpCompletionOption.ResponseHeadersRead, Ct);
            streams.Add((response, await response.Content.ReadAsStreamAsync(Ct)));
        }

        var hub = server.GetRequiredService<EventHub>();
        await Eventually.TrueAsync(() => hub.SubscriberCount == 50, TimeSpan.FromSeconds(10), "all streams subscribed");
        var drains = streams.Select(s => DrainToEndAsync(s.Body)).ToList();

        var stopwatch = Stopwatch.StartNew();
        await server.App.StopAsync(Ct).WaitAsync(TimeSpan.FromSeconds(2), Ct);
        await Task.WhenAll(drains).WaitAsync(TimeSpan.FromSeconds(2), Ct);
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"shutdown took {stopwatch.Elapsed}");
        await server.DisposeAsync();
        streams.ForEach(s => s.Response.Dispose());
    }

    [Fact]
    public async Task Shutdown_WithAClientThatStoppedReading_StillFinishesWithinTwoSeconds()
    {
        var ticks = TestTopics.NewStream();
        var server = await StartWithTopicAsync(ticks, new Dictionary<string, string?> { ["Dashboard:Sse:MaxQueuedEvents"] = "1000" });
        var hub = server.GetRequiredService<EventHub>();
        using var stalled = await ConnectStalledAsync(server, "/sse?topics=ticks");
        using var healthy = await server.Client.GetAsync("/sse?topics=clock&format=json", HttpCompletionOption.ResponseHeadersRead, Ct);
        var drain = DrainToEndAsync(await healthy.Content.ReadAsStreamAsync(Ct));
        await Eventually.TrueAsync(() => hub.SubscriberCount == 2, TimeSpan.FromSeconds(5), "the healthy client subscribed");

        // 32 MB for a client that reads nothing: more than the kernel buffers hold, so its writer is stuck in a send.
        var megabyte = new string('x', 1024 * 1024);
        for (var i = 0; i < 32; i++)
        {
            await hub.PublishAsync(ticks, new TextPayload($"{i}:{megabyte}"), Ct);
        }

        var stopwatch = Stopwatch.StartNew();
        await server.App.StopAsync(Ct).WaitAsync(TimeSpan.FromSeconds(5), Ct);
        stopwatch.Stop();
        await drain.WaitAsync(TimeSpan.FromSeconds(2), Ct);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"shutdown took {stopwatch.Elapsed}");
        await server.DisposeAsync();
    }

    [Fact]
    public async Task StalledClient_IsDisconnected_WhileOthersGetEveryEvent()
    {
        var ticks = TestTopics.NewStream();
        await using var server = await StartWithTopicAsync(ticks, new Dictionary<string, string?> { ["Dashboard:Sse:MaxQueuedEvents"] = "16" });
        var hub = server.GetRequiredService<EventHub>();

        using var stalled = await ConnectStalledAsync(server, "/sse?topics=ticks");

        await using var healthy = await SseClient.ConnectAsync(server.Client, "/sse?topics=ticks&format=json");
        var big = new string('x', 64 * 1024);
        var published = 0;
        while (hub.SubscriberCount == 2 && published < 2000)
        {
            var e = await hub.PublishAsync(ticks, new TextPayload($"{published}:{big}"), Ct);
            published++;
            var item = await healthy.NextAsync();
            Assert.Equal(e.Id.ToString(), item.EventId);
        }

        await Eventually.TrueAsync(() => hub.SubscriberCount == 1, TimeSpan.FromSeconds(5), "the stalled client is dropped");
        Assert.True(published < 2000, "the stalled client was never dropped");
        await Eventually.TrueAsync(
            () => server.GetRequiredService<StreamingMetrics>().Totals().DisconnectsOf(DisconnectReason.Overflow) == 1,
            TimeSpan.FromSeconds(5),
            "the drop counted as an overflow");
        var last = await hub.PublishAsync(ticks, new TextPayload("after"), Ct);
        Assert.Equal(last.Id.ToString(), (await healthy.NextAsync()).EventId);
    }

    /// <summary>A client that sends its request and then never reads a byte; returns once the hub has it.</summary>
    internal static async Task<TcpClient> ConnectStalledAsync(DashboardServer server, string path)
    {
        var hub = server.GetRequiredService<EventHub>();
        var before = hub.SubscriberCount;
        var stalled = new TcpClient { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port, Ct);
        await stalled.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nAuthorization: Bearer {DashboardServer.Token}\r\n\r\n"), Ct);
        await Eventually.TrueAsync(() => hub.SubscriberCount == before + 1, TimeSpan.FromSeconds(5), "the stalled client subscribed");
        return stalled;
    }

    private static async Task DrainToEndAsync(Stream body)
    {
        var buffer = new byte[4096];
        while (await body.ReadAsync(buffer) > 0)
        {
        }
    }
}
