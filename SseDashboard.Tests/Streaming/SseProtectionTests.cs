using System.Diagnostics.Metrics;
using System.Net;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Streaming;

/// <summary>What keeps one server standing: the connection cap, stalled readers, scattered reconnects, its own meter.</summary>
public sealed class SseProtectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConnectionPastTheCap_Gets503ProblemWithRetryAfter_AndIsCountedAsCapacity()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Sse:MaxConnections"] = "2" });
        await using var first = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock");
        await using var second = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock");

        using var refused = await server.Client.GetAsync("/sse?topics=clock", HttpCompletionOption.ResponseHeadersRead, Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));
        Assert.Contains("Dashboard:Sse:MaxConnections", await refused.Content.ReadAsStringAsync(Ct));
        var totals = server.GetRequiredService<StreamingMetrics>().Totals();
        Assert.Equal(1, totals.DisconnectsOf(DisconnectReason.Capacity));
        Assert.Equal(2, totals.Connections);

        // A slot freed is a slot taken again.
        await first.DisposeAsync();
        await Eventually.TrueAsync(() => server.GetRequiredService<StreamingMetrics>().Connections == 1, TimeSpan.FromSeconds(5), "the first stream to close");
        await using var third = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock");
    }

    [Fact]
    public async Task ClientThatNeverReads_IsAbortedAfterStallTimeout_OnAStateTopic_AndCountedAsStalled()
    {
        var gauge = TestTopics.NewState("gauge");
        await using var server = await SseEndpointTests.StartWithTopicAsync(gauge, new Dictionary<string, string?>
        {
            ["Dashboard:Sse:StallTimeout"] = "00:00:01",
        });
        var hub = server.GetRequiredService<EventHub>();
        var metrics = server.GetRequiredService<StreamingMetrics>();
        await using var healthy = await SseClient.ConnectAsync(server.Client, "/sse?topics=gauge&format=json");
        using var stalled = await SseEndpointLifetimeTests.ConnectStalledAsync(server, "/sse?topics=gauge");

        // A state topic coalesces, so its queue never overflows: only the stall watch can end this connection.
        var big = new string('x', 64 * 1024);
        for (var i = 0; metrics.Totals().DisconnectsOf(DisconnectReason.Stalled) == 0; i++)
        {
            Assert.True(i < 2000, "the stalled client was never aborted");
            await hub.PublishAsync(gauge, new TextPayload($"{i} {big}"), Ct);
            await healthy.NextAsync();
        }

        Assert.Equal(1, metrics.Totals().DisconnectsOf(DisconnectReason.Stalled));
        await Eventually.TrueAsync(() => hub.SubscriberCount == 1, TimeSpan.FromSeconds(5), "the stalled client left the hub");
        var last = await hub.PublishAsync(gauge, new TextPayload("after"), Ct);
        Assert.Equal(last.Id.ToString(), (await healthy.NextAsync()).EventId);
    }

    [Fact]
    public async Task Retry_IsSpreadOverRetryToTwiceRetry_AcrossConnections()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Sse:Retry"] = "00:00:02" });
        var retries = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await server.Client.GetAsync("/sse?topics=clock", HttpCompletionOption.ResponseHeadersRead, Ct);
            await using var body = await response.Content.ReadAsStreamAsync(Ct);
            var first = await SseEndpointTests.ReadUntilAsync(body, "\n\n", TimeSpan.FromSeconds(5));
            retries.Add(int.Parse(first.Split('\n')[0]["retry: ".Length..]));
        }

        Assert.All(retries, r => Assert.InRange(r, 2000, 3999));
        Assert.True(retries.Distinct().Count() >= 10, $"retry values barely differ: {string.Join(", ", retries)}");
    }

    [Fact]
    public async Task Meter_SseDashboard_ReportsConnectionsEventsAndBytesWritten()
    {
        var measured = new Dictionary<string, double>();
        object? ours = null; // this test's server's meter factory: other tests' servers run alongside, under the same meter name
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == StreamingMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value)
        {
            if (instrument.Meter.Scope != Volatile.Read(ref ours))
            {
                return;
            }

            lock (measured)
            {
                measured[instrument.Name] = measured.GetValueOrDefault(instrument.Name) + value;
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, _, _) => Record(i, v));
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => Record(i, v));
        listener.Start();
        await using var server = await DashboardServer.StartAsync();
        Volatile.Write(ref ours, server.GetRequiredService<IMeterFactory>());
        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock");
        await sse.NextAsync();
        await sse.NextAsync();

        await Eventually.TrueAsync(
            () =>
            {
                lock (measured)
                {
                    measured.Remove("sse.connections");
                }

                listener.RecordObservableInstruments();
                lock (measured)
                {
                    return measured.GetValueOrDefault("sse.connections") == 1
                        && measured.GetValueOrDefault("sse.events_written") >= 2
                        && measured.GetValueOrDefault("sse.bytes_written") > 0
                        && measured.ContainsKey("sse.queue_depth");
                }
            },
            TimeSpan.FromSeconds(5),
            "the meter's connections, events and bytes written");
    }
}
