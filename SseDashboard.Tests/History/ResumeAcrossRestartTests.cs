using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.History;

/// <summary>Ids go on across restarts, and a reader resuming from an old id gets exactly what it missed, from the store.</summary>
public sealed class ResumeAcrossRestartTests(PostgresServer postgres)
{
    public static TheoryData<string> Providers => StoreProviders.All;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Restart_ResumingWithTheOldRunsId_GetsWhatItMissed_IncludingLinesWrittenWhileDown_NoResetNoDuplicate(string provider)
    {
        using var fixture = new HistoryFixture(provider, await StoreProviders.ConnectionStringAsync(provider, postgres));
        await fixture.AppendAsync("one", "two");
        long seen;
        await using (var first = await fixture.StartAsync())
        {
            await using var sse = await SseClient.ConnectAsync(first.Client, "/sse?topics=log&format=json");
            var (lines, events) = await HistoryFixture.ReadLogAsync(sse, 2);
            Assert.Equal(["one", "two"], lines);
            seen = events[^1].Id;
            await sse.DisposeAsync();

            // Missed while the reader was away, then while the app was down.
            await fixture.AppendAsync("three");
            await HistoryFixture.StoredLinesAsync(first, l => l.Contains("three"));
        }

        await fixture.AppendAsync("four", "five");
        await using var second = await fixture.StartAsync();
        Assert.True(second.GetRequiredService<EventHub>().FirstId > seen, "ids go on after the old run's");

        await using var resumed = await SseClient.ConnectAsync(second.Client, "/sse?topics=log&format=json", Id(seen));
        var (missed, missedEvents) = await HistoryFixture.ReadLogAsync(resumed, 3);
        Assert.Equal(["three", "four", "five"], missed);
        Assert.DoesNotContain(missedEvents, e => e.Kind == "reset");
        Assert.True(missedEvents.Select(e => e.Id).SequenceEqual(missedEvents.Select(e => e.Id).Order()) && missedEvents[0].Id > seen);

        // Every line once in the store: the file was gone on from where it was left, not from its last InitialLines.
        Assert.Equal(["one", "two", "three", "four", "five"], await HistoryFixture.StoredLinesAsync(second, l => l.Count >= 5));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Restart_NewPage_ShowsTheLogBeforeTheRestart_NotACleared_Panel(string provider)
    {
        using var fixture = new HistoryFixture(provider, await StoreProviders.ConnectionStringAsync(provider, postgres));
        await fixture.AppendAsync("before restart");
        await using (var first = await fixture.StartAsync())
        {
            await HistoryFixture.StoredLinesAsync(first, l => l.Contains("before restart"));
        }

        await using var second = await fixture.StartAsync();
        await using var sse = await SseClient.ConnectAsync(second.Client, "/sse?topics=log&format=json");
        var (lines, events) = await HistoryFixture.ReadLogAsync(sse, 1);
        Assert.Equal(["before restart"], lines);
        Assert.True(events[0].Id < second.GetRequiredService<EventHub>().FirstId, "the stored event keeps its id");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Resume_OlderThanTheRing_GetsTheMissedLinesFromTheStore_ThenLive_NoGapNoDuplicate(string provider)
    {
        using var fixture = new HistoryFixture(provider, await StoreProviders.ConnectionStringAsync(provider, postgres), new Dictionary<string, string?>
        {
            ["Dashboard:Sse:ReplayCapacity"] = "2",
            ["Dashboard:LogTail:MaxBatchLines"] = "1",
        });
        await using var server = await fixture.StartAsync();
        var seen = await fixture.ReadLineIdAsync(server, "first");

        var missed = Enumerable.Range(1, 20).Select(i => $"missed {i}").ToArray();
        await fixture.AppendAsync(missed);
        await HistoryFixture.StoredLinesAsync(server, l => l.Contains("missed 20"));

        await using var resumed = await SseClient.ConnectAsync(server.Client, "/sse?topics=log&format=json", Id(seen));
        var (replayed, events) = await HistoryFixture.ReadLogAsync(resumed, 20);
        Assert.Equal(missed, replayed);
        Assert.DoesNotContain(events, e => e.Kind == "reset");

        await fixture.AppendAsync("live");
        Assert.Equal(["live"], (await HistoryFixture.ReadLogAsync(resumed, 1)).Lines);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Resume_FurtherBehindThanMaxReplayLines_GetsTheReset(string provider)
    {
        using var fixture = new HistoryFixture(provider, await StoreProviders.ConnectionStringAsync(provider, postgres), new Dictionary<string, string?>
        {
            ["Dashboard:Sse:ReplayCapacity"] = "2",
            ["Dashboard:Sse:MaxReplayLines"] = "5",
            ["Dashboard:LogTail:MaxBatchLines"] = "1",
        });
        await using var server = await fixture.StartAsync();
        var seen = await fixture.ReadLineIdAsync(server, "first");

        // Stored, and published by the hub (in a fleet the hub has them once it has read them back from the store).
        await using (var live = await SseClient.ConnectAsync(server.Client, "/sse?topics=log&format=json", Id(seen)))
        {
            await fixture.AppendAsync(Enumerable.Range(1, 10).Select(i => $"missed {i}").ToArray());
            await HistoryFixture.ReadLogAsync(live, 10);
        }

        await HistoryFixture.StoredLinesAsync(server, l => l.Contains("missed 10"));

        await using var resumed = await SseClient.ConnectAsync(server.Client, "/sse?topics=log&format=json", Id(seen));
        var reset = await resumed.NextOfTypeAsync("log");
        Assert.Contains("\"kind\":\"reset\"", reset.Data);
    }

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
