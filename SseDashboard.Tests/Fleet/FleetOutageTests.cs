using System.Text.Json;
using Dapper;
using Npgsql;
using SseDashboard.History;
using SseDashboard.LogTail;
using SseDashboard.Tests.History;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Fleet;

/// <summary>A fleet's PostgreSQL restarting under an agent and a dashboard node (a cluster of the test's own).</summary>
public sealed class FleetOutageTests(PostgresServer shared)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task AnAgentsLinesDuringAPostgresRestart_ArriveOnce_WithTheirOwnTimes_AndWhatItCouldNotKeepAsASkippedMarker()
    {
        await using var postgres = new PostgresServer();
        var connectionString = await postgres.CreateDatabaseAsync();
        using var agent = new HistoryFixture("Postgres", connectionString, new Dictionary<string, string?>
        {
            ["Dashboard:HostName"] = "agent-r",
            ["Dashboard:Role"] = "Agent",
            ["Dashboard:Metrics:Interval"] = "00:00:00.1",
            ["Dashboard:Fleet:AgentBufferLines"] = "3",
        });
        using var node = new HistoryFixture("Postgres", connectionString, new Dictionary<string, string?> { ["Dashboard:HostName"] = "node-r" });
        await using var dashboard = await node.StartAsync();
        await using var agentServer = await agent.StartAsync();
        await using var sse = await SseClient.ConnectAsync(dashboard.Client, "/sse?topics=log&format=json&hosts=agent-r");
        await agent.AppendAsync("before");
        Assert.Equal(["before"], (await ReadAsync(sse, 1)).Lines);

        await postgres.StopClusterAsync();
        var status = agentServer.GetRequiredService<HistoryStatus>();
        await Eventually.TrueAsync(() => Task.FromResult(status.Error is not null), Outage, "the agent's writes fail");

        // Five lines while it is down, room for three: the oldest two are let go, and counted.
        var dropped = status.Dropped;
        await agent.AppendAsync("d1", "d2", "d3", "d4", "d5");
        await Eventually.TrueAsync(() => Task.FromResult(status.Dropped - dropped >= 2), Outage, "the agent lets the oldest lines go");
        var restarted = DateTimeOffset.UtcNow;
        await postgres.StartClusterAgainAsync();

        var (lines, events) = await ReadAsync(sse, 3);
        Assert.Equal(["d3", "d4", "d5"], lines);
        var marker = Assert.Single(events, e => e.Kind == "skipped");
        Assert.Equal(2, marker.Skipped);
        Assert.Equal(events.Select(e => e.Id).Order(), events.Select(e => e.Id));

        // Nothing twice after it either; and stored once, with the times they were read at, not the restart's.
        await agent.AppendAsync("after");
        Assert.Equal(["after"], (await ReadAsync(sse, 1)).Lines);
        var stored = await HistoryFixture.StoredLinesAsync(dashboard, l => l.Contains("after"), "limit=100&hosts=agent-r");
        Assert.Equal(["before", "d3", "d4", "d5", "after"], stored);
        using var page = JsonDocument.Parse(await dashboard.Client.GetStringAsync("/api/logs?limit=100&hosts=agent-r&q=d4", TestContext.Current.CancellationToken));
        Assert.True(page.RootElement.GetProperty("lines")[0].GetProperty("timestamp").GetDateTimeOffset() < restarted);
    }

    [Fact]
    public async Task ANodeStartedWhilePostgresIsDown_ShowsItsOwnHostLive_ThenEveryHostOnceTheStoreComes()
    {
        await using var postgres = new PostgresServer();
        var connectionString = await postgres.CreateDatabaseAsync();
        using var agent = new HistoryFixture("Postgres", connectionString, new Dictionary<string, string?> { ["Dashboard:HostName"] = "agent-l", ["Dashboard:Role"] = "Agent" });
        using var node = new HistoryFixture("Postgres", connectionString, new Dictionary<string, string?> { ["Dashboard:HostName"] = "node-l" });
        var before = new List<long>();
        await using (var store = new PostgresHistoryStore(connectionString))
        {
            // Two lines of another host, stored before the node starts.
            await store.MigrateAsync(TestContext.Current.CancellationToken);
            foreach (var (text, batch) in new[] { ("old 1", 1), ("old 2", 2) })
            {
                var write = new HistoryWrite { Host = "web-9", Run = "r", Batch = batch, IdCount = 1 };
                LogRows.Add(write.Lines, 1, new LogBatch(DateTimeOffset.UtcNow.AddMinutes(-1), "/a.log", LogKinds.Lines, [LogLine.Of(text)]) { Host = "web-9" });
                before.Add(await store.WriteAsync(write, TestContext.Current.CancellationToken));
            }
        }

        await postgres.StopClusterAsync();

        await using var dashboard = await node.StartAsync();
        await using var banner = await SseClient.ConnectAsync(dashboard.Client, "/sse?topics=fleet&format=json");
        await using var sse = await SseClient.ConnectAsync(dashboard.Client, "/sse?topics=log&format=json");
        await node.AppendAsync("own, while down");
        var live = await sse.NextAsync(Outage);
        Assert.Contains("own, while down", live.Data);
        Assert.Null(live.EventId);

        // The page says so, live and on first paint.
        await NextFleetStateAsync(banner, available: false);
        var page = await dashboard.Client.GetStringAsync("/", TestContext.Current.CancellationToken);
        Assert.Contains("fleet store unavailable — showing this host only", page);

        await postgres.StartClusterAgainAsync();
        await NextFleetStateAsync(banner, available: true);
        Assert.DoesNotContain("fleet-banner", await dashboard.Client.GetStringAsync("/", TestContext.Current.CancellationToken));
        await using var agentServer = await agent.StartAsync();
        await agent.AppendAsync("agent, once up");
        var lines = new List<string>();
        while (!lines.Contains("agent, once up") || !lines.Contains("own, while down"))
        {
            var item = await WithSoFarAsync(sse.NextAsync(Outage), lines);

            Assert.True(item.EventId is not null, $"numbered by the store from here on: {item.Data}");
            using var json = JsonDocument.Parse(item.Data);
            lines.AddRange(json.RootElement.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()!));
        }

        // Each once, numbered, in the order the store took them (the agent's may come first: the node's writer retries).
        Assert.Equal(["agent, once up", "own, while down"], lines.Order());

        // The node never had what was stored before it started: a reader resuming from there gets it from the store.
        await using var resumed = await SseClient.ConnectAsync(
            dashboard.Client, "/sse?topics=log&format=json", before[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        var first = await resumed.NextOfTypeAsync("log");
        Assert.Equal(before[1].ToString(System.Globalization.CultureInfo.InvariantCulture), first.EventId);
        Assert.Contains("old 2", first.Data);
    }

    [Fact]
    public async Task AnAgentsLinesHeldThroughAnOutage_StreamLive_OnANodeThatStartedDuringIt()
    {
        await using var postgres = new PostgresServer();
        var connectionString = await postgres.CreateDatabaseAsync();
        using var agent = new HistoryFixture("Postgres", connectionString, new Dictionary<string, string?>
        {
            ["Dashboard:HostName"] = "agent-b",
            ["Dashboard:Role"] = "Agent",
            ["Dashboard:Fleet:AgentBufferLines"] = "2",
        });
        using var node = new HistoryFixture("Postgres", connectionString, new Dictionary<string, string?> { ["Dashboard:HostName"] = "node-b" });
        await using var agentServer = await agent.StartAsync();
        await postgres.StopClusterAsync();
        var status = agentServer.GetRequiredService<HistoryStatus>();
        await Eventually.TrueAsync(() => Task.FromResult(status.Error is not null), Outage, "the agent's writes fail");

        // Three lines read while it is down, room for two: the oldest is let go, so all three were read before the node starts.
        var dropped = status.Dropped;
        await agent.AppendAsync("h1", "h2", "h3");
        await Eventually.TrueAsync(() => Task.FromResult(status.Dropped > dropped), Outage, "the agent reads the lines and holds two");
        await using var dashboard = await node.StartAsync();
        await using var sse = await SseClient.ConnectAsync(dashboard.Client, "/sse?topics=log&format=json&hosts=agent-b");

        // Stored when the store is back, after the node started though read before it: the node streams them live.
        await postgres.StartClusterAgainAsync();
        var (lines, events) = await ReadAsync(sse, 2);
        Assert.Equal(["h2", "h3"], lines);
        Assert.Equal(1, Assert.Single(events, e => e.Kind == "skipped").Skipped);
    }

    [Fact]
    public async Task AStoreThatHangs_ANodeShowsItsOwnLinesLiveAnyway_AndStoresThemOnceWhenItMovesAgain()
    {
        var connectionString = await shared.CreateDatabaseAsync();
        using var node = new HistoryFixture("Postgres", connectionString, new Dictionary<string, string?> { ["Dashboard:HostName"] = "node-h" });
        await using var dashboard = await node.StartAsync();
        await using var sse = await SseClient.ConnectAsync(dashboard.Client, "/sse?topics=log&format=json");
        await node.AppendAsync("stored");
        Assert.Equal(["stored"], (await ReadAsync(sse, 1)).Lines);

        // Another transaction locks the store (a long migration, say) and does not commit: this node's writes wait behind it.
        await using (var holder = new NpgsqlConnection(connectionString))
        {
            await holder.OpenAsync(TestContext.Current.CancellationToken);
            await using var transaction = await holder.BeginTransactionAsync(TestContext.Current.CancellationToken);
            await holder.ExecuteAsync("LOCK TABLE fleet_writes IN EXCLUSIVE MODE", transaction: transaction);

            await node.AppendAsync("while held");
            var item = await sse.NextAsync(TimeSpan.FromSeconds(10));
            Assert.Contains("while held", item.Data);
            Assert.Null(item.EventId); // live, not yet numbered by the store
        }

        // Once stored it comes back numbered, and is stored once.
        Assert.Equal(["while held"], (await ReadAsync(sse, 1)).Lines);
        Assert.Equal(["stored", "while held"], await HistoryFixture.StoredLinesAsync(dashboard, l => l.Count >= 2, "limit=100"));
    }

    private static async Task<T> WithSoFarAsync<T>(Task<T> next, List<string> soFar)
    {
        try
        {
            return await next;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} Had: [{string.Join(", ", soFar)}]", ex);
        }
    }

    private static async Task NextFleetStateAsync(SseClient banner, bool available)
    {
        while (true)
        {
            var item = await banner.NextAsync(Outage);
            Assert.Equal("fleet", item.EventType);
            using var json = JsonDocument.Parse(item.Data);
            Assert.Null(item.EventId); // the node's own, like its clock
            if (json.RootElement.GetProperty("available").GetBoolean() == available)
            {
                return;
            }
        }
    }

    // The log events read until `count` lines came, with a long wait for each: the store comes back within its backoff.
    private static async Task<(List<string> Lines, List<(long Id, string Kind, long Skipped)> Events)> ReadAsync(SseClient sse, int count)
    {
        var lines = new List<string>();
        var events = new List<(long, string, long)>();
        while (lines.Count < count)
        {
            var item = await sse.NextAsync(Outage);
            if (item.EventType != "log")
            {
                continue;
            }

            using var json = JsonDocument.Parse(item.Data);
            var root = json.RootElement;
            events.Add((
                long.Parse(item.EventId!, System.Globalization.CultureInfo.InvariantCulture),
                root.GetProperty("kind").GetString()!,
                root.TryGetProperty("skipped", out var skipped) ? skipped.GetInt64() : 0));
            lines.AddRange(root.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()!));
        }

        return (lines, events);
    }
}
