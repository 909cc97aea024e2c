using System.Globalization;
using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using SseDashboard.Tests.History;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Fleet;

/// <summary>Two dashboard nodes and an agent on one real PostgreSQL.</summary>
public sealed class FleetTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryHostOnEveryNode_HostsFilters_AndAReaderCutOffOnOneNodeResumesOnTheOtherExactly()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var agent = Node(connectionString, "agent-c", "Agent");
        using var nodeA = Node(connectionString, "node-a");
        using var nodeB = Node(connectionString, "node-b");
        await using var a = await nodeA.StartAsync();
        await using var b = await nodeB.StartAsync();
        await using var c = await agent.StartAsync();
        await nodeA.AppendAsync("a1"); // a line of another host, which the agent's readers below never get

        // Every host's cpu reaches both nodes.
        foreach (var node in new[] { a, b })
        {
            await using var cpu = await SseClient.ConnectAsync(node.Client, "/sse?topics=cpu&format=json");
            var hosts = new HashSet<string>();
            while (!hosts.SetEquals(["node-a", "node-b", "agent-c"]))
            {
                hosts.Add(HostOf((await cpu.NextOfTypeAsync("cpu")).Data));
            }
        }

        // hosts= gives only those hosts' events (and the node's own clock, which is no host's).
        await using (var filtered = await SseClient.ConnectAsync(b.Client, "/sse?topics=cpu,memory&format=json&hosts=agent-c"))
        {
            for (var i = 0; i < 9; i++)
            {
                Assert.Equal("agent-c", HostOf((await filtered.NextAsync()).Data));
            }
        }

        // A reader of the agent's log on node A, cut off, resumes on node B with its last id: exactly the rest.
        long seen;
        await using (var onA = await SseClient.ConnectAsync(a.Client, "/sse?topics=log&format=json&hosts=agent-c"))
        {
            await agent.AppendAsync("c1", "c2");
            var (lines, events) = await HistoryFixture.ReadLogAsync(onA, 2);
            Assert.Equal(["c1", "c2"], lines);
            seen = events[^1].Id;
        }

        await agent.AppendAsync("c3", "c4");
        Assert.Equal(["c1", "c2", "c3", "c4"], await HistoryFixture.StoredLinesAsync(b, l => l.Contains("c4"), "limit=100&hosts=agent-c"));
        await using var onB = await SseClient.ConnectAsync(b.Client, "/sse?topics=log&format=json&hosts=agent-c", seen.ToString(CultureInfo.InvariantCulture));
        var (missed, missedEvents) = await HistoryFixture.ReadLogAsync(onB, 2);
        Assert.Equal(["c3", "c4"], missed);
        Assert.DoesNotContain(missedEvents, e => e.Kind == "reset");
        Assert.All(missedEvents, e => Assert.True(e.Id > seen));

        await agent.AppendAsync("c5");
        Assert.Equal(["c5"], (await HistoryFixture.ReadLogAsync(onB, 1)).Lines);
    }

    [Fact]
    public async Task AResumeOfSomeHostsFromTheStore_GetsOnlyTheirLines_AndTheReplayBoundCountsOnlyThose()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var agent = Node(connectionString, "agent-s", "Agent");
        using var node = new HistoryFixture("Postgres", connectionString, new Dictionary<string, string?>
        {
            ["Dashboard:HostName"] = "node-s",
            ["Dashboard:Sse:ReplayCapacity"] = "2",
            ["Dashboard:Sse:MaxReplayLines"] = "3",
            ["Dashboard:LogTail:MaxBatchLines"] = "1",
        });
        await using var n = await node.StartAsync();
        await using var c = await agent.StartAsync();
        await using var live = await SseClient.ConnectAsync(n.Client, "/sse?topics=log&format=json");
        await agent.AppendAsync("s1");
        var seen = (await HistoryFixture.ReadLogAsync(live, 1)).Events[^1].Id;

        // Far more of this node's lines than the ring holds or the bound allows, and three of the agent's.
        await node.AppendAsync(Enumerable.Range(1, 8).Select(i => $"n{i}").ToArray());
        await agent.AppendAsync("s2", "s3", "s4");
        await HistoryFixture.ReadLogAsync(live, 11);

        await using var resumed = await SseClient.ConnectAsync(n.Client, "/sse?topics=log&format=json&hosts=agent-s", seen.ToString(CultureInfo.InvariantCulture));
        var (lines, events) = await HistoryFixture.ReadLogAsync(resumed, 3);
        Assert.Equal(["s2", "s3", "s4"], lines);
        Assert.DoesNotContain(events, e => e.Kind == "reset");
    }

    [Fact]
    public async Task ApiHosts_ListsEveryHostWithRoleStatusAndNewestSamples_AndEachHostHasItsOwnHistoryAndSparkline()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var agent = Node(connectionString, "agent-c", "Agent");
        using var nodeA = Node(connectionString, "node-a");
        await using var a = await nodeA.StartAsync();
        var c = await agent.StartAsync();

        // Hosts seen 61 s and 25 h ago: the first is offline, the second no longer listed.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await connection.ExecuteAsync(
                "INSERT INTO hosts (host, role, last_seen, interval_ms) VALUES ('old-1', 'Agent', @recent, 1000), ('ancient', 'Agent', @old, 1000)",
                new { recent = now - 61_000, old = now - 25 * 3_600_000L });
        }

        var hosts = await HostsAsync(a, h => h.Count == 3 && h.All(e => e.TryGetProperty("cpu", out var cpu) && cpu.ValueKind == JsonValueKind.Object || e.GetProperty("host").GetString() == "old-1"));
        Assert.Equal(["agent-c", "node-a", "old-1"], hosts.Select(h => h.GetProperty("host").GetString()));
        Assert.Equal(["Agent", "Dashboard", "Agent"], hosts.Select(h => h.GetProperty("role").GetString()));
        Assert.Equal(["online", "online", "offline"], hosts.Select(h => h.GetProperty("status").GetString()));
        Assert.Equal("agent-c", hosts[0].GetProperty("cpu").GetProperty("host").GetString());
        Assert.Equal("agent-c", hosts[0].GetProperty("memory").GetProperty("host").GetString());
        Assert.True(hosts[0].GetProperty("lastSeen").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddSeconds(-10));

        // The agent's cpu as node A has it: with the sparkline values a sampler would have given it.
        var hub = a.GetRequiredService<SseDashboard.Streaming.EventHub>();
        await Eventually.TrueAsync(
            async () => (await hub.SnapshotAsync([SseDashboard.Metrics.MetricsTopics.Cpu], new HashSet<string> { "agent-c" }, Ct))
                .Events["cpu"].Single().Payload is SseDashboard.Metrics.CpuSample { SystemHistory.Count: >= 3 },
            TimeSpan.FromSeconds(10),
            "the agent's cpu sparkline fills");

        // Each host's history is its own.
        using (var history = JsonDocument.Parse(await a.Client.GetStringAsync("/api/history/cpu?host=agent-c", Ct)))
        {
            Assert.NotEmpty(history.RootElement.GetProperty("points").EnumerateArray());
        }

        using (var none = JsonDocument.Parse(await a.Client.GetStringAsync("/api/history/cpu?host=nobody", Ct)))
        {
            Assert.Empty(none.RootElement.GetProperty("points").EnumerateArray());
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await a.Client.GetAsync("/api/history/cpu?host=no%20body", Ct)).StatusCode);

        // An agent that stops is stale after three of its intervals.
        await c.DisposeAsync();
        await HostsAsync(a, h => h.Any(e => e.GetProperty("host").GetString() == "agent-c" && e.GetProperty("status").GetString() == "stale"));
    }

    private static async Task<List<JsonElement>> HostsAsync(DashboardServer server, Func<List<JsonElement>, bool> until)
    {
        var hosts = new List<JsonElement>();
        await Eventually.TrueAsync(
            async () =>
            {
                using var document = JsonDocument.Parse(await server.Client.GetStringAsync("/api/hosts", Ct));
                hosts = document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
                return until(hosts);
            },
            TimeSpan.FromSeconds(10),
            "/api/hosts as expected");
        return hosts;
    }

    [Fact]
    public async Task AnAgent_ServesHealthOnly()
    {
        using var agent = Node(await postgres.CreateDatabaseAsync(), "agent-d", "Agent");
        await using var server = await agent.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/healthz", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/sse", Ct)).StatusCode);
    }

    [Fact]
    public async Task AnAgentWithoutPostgres_StopsStartUp_NamingTheKey()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Role"] = "Agent" }));
        Assert.Contains("Dashboard:Role Agent writes to a fleet's store: it needs Dashboard:Store:Provider=Postgres", error.Message);
    }

    private static HistoryFixture Node(string connectionString, string host, string role = "Dashboard") =>
        new("Postgres", connectionString, new Dictionary<string, string?>
        {
            ["Dashboard:HostName"] = host,
            ["Dashboard:Role"] = role,
            ["Dashboard:Metrics:Interval"] = "00:00:00.1",
        });

    private static string HostOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("host").GetString()!;
    }
}
