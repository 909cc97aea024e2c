using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using SseDashboard.Tests.History;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Fleet;

/// <summary>The fleet's pages as served: the grid, a host's page, an embed of one host's panel, and the fragments' slots.</summary>
public sealed class FleetPagesTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheGrid_HasACardPerHost_WithSlotsTheStreamsOutOfBandFragmentsFill_AndAMergedLogWithAHostFilter()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var nodeA = FleetNode(connectionString, "node-a");
        using var nodeB = FleetNode(connectionString, "node-b");
        await using var a = await nodeA.StartAsync();
        await using var b = await nodeB.StartAsync();

        var grid = await GridAsync(a, ["node-a", "node-b"]);
        foreach (var host in new[] { "node-a", "node-b" })
        {
            var card = grid.QuerySelector($".host-card[data-host='{host}']")!;
            Assert.Equal($"/hosts/{host}", card.QuerySelector("a[data-host-link]")!.GetAttribute("href"));
            Assert.NotNull(card.QuerySelector($"[data-slot='cpu:{host}'] .metric-value[data-value]"));
            Assert.NotNull(card.QuerySelector($"[data-slot='memory:{host}'] .metric-value[data-value]"));
            Assert.Equal("online", card.GetAttribute("data-status"));
        }

        // One stream for the grid: the cards' topics come through one element that only takes their out-of-band swaps.
        var connect = grid.QuerySelector("[sse-connect]")!.GetAttribute("sse-connect")!;
        Assert.StartsWith("/sse?topics=log%2Ccpu%2Cmemory%2Cfleet&lastEventId=", connect);
        var sink = grid.QuerySelector("[sse-swap='cpu,memory']")!;
        Assert.Equal("none", sink.GetAttribute("hx-swap"));
        Assert.Equal(["", "node-a", "node-b"], grid.QuerySelectorAll("[data-log-host] option").Select(o => o.GetAttribute("value")));
        Assert.Equal("true", grid.QuerySelector("#panel-log-content")!.GetAttribute("data-show-host"));

        // Each host's fragment is an out-of-band swap into that host's slot.
        await using var html = await SseClient.ConnectAsync(a.Client, "/sse?topics=cpu&hosts=node-b");
        var fragment = Single((await html.NextOfTypeAsync("cpu")).Data);
        Assert.Equal("innerHTML:[data-slot='cpu:node-b']", fragment.GetAttribute("hx-swap-oob"));
        Assert.Equal("cpu:node-b", fragment.GetAttribute("data-for"));
        Assert.NotNull(fragment.QuerySelector(".cpu-body"));

        // The merged log's lines say their host.
        await nodeB.AppendAsync("from b");
        await using var log = await SseClient.ConnectAsync(a.Client, "/sse?topics=log");
        var line = Single((await log.NextOfTypeAsync("log")).Data);
        Assert.Equal(("from b", "node-b"), (line.TextContent, line.GetAttribute("data-host")));
    }

    [Fact]
    public async Task AHostsPage_IsTheDashboardOfThatHostOnly_AndAnEmbedTakesHost()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var nodeA = FleetNode(connectionString, "node-a");
        using var nodeB = FleetNode(connectionString, "node-b");
        await using var a = await nodeA.StartAsync();
        await using var b = await nodeB.StartAsync();
        await GridAsync(a, ["node-a", "node-b"]);

        var page = await PageAsync(a, "/hosts/node-b");
        Assert.Contains("node-b", page.QuerySelector("h1")!.TextContent);
        Assert.Matches("^/sse\\?lastEventId=[0-9]+&hosts=node-b$", page.QuerySelector("[sse-connect]")!.GetAttribute("sse-connect")!);
        Assert.Equal("cpu:node-b", page.QuerySelector("#panel-cpu-content")!.GetAttribute("data-slot"));
        Assert.Null(page.QuerySelector("#panel-cpu-content")!.GetAttribute("sse-swap"));
        Assert.NotNull(page.QuerySelector("#panel-cpu-content .metric-value[data-value]"));
        Assert.EndsWith("&host=node-b", page.QuerySelector("[data-chart-range='1h']")!.GetAttribute("hx-get"));
        Assert.Equal("hosts=node-b", page.QuerySelector("#panel-log-content")!.GetAttribute("data-history-query"));
        Assert.Equal("clock", page.QuerySelector("#panel-clock-content")!.GetAttribute("sse-swap")); // the node's own

        var embed = await PageAsync(a, "/panels/memory?host=node-b");
        Assert.Equal("memory:node-b", embed.QuerySelector("#panel-memory-content")!.GetAttribute("data-slot"));
        Assert.Contains("hosts=node-b", embed.QuerySelector("[sse-connect]")!.GetAttribute("sse-connect"));
        var log = await PageAsync(a, "/panels/log");
        Assert.Equal("true", log.QuerySelector("#panel-log-content")!.GetAttribute("data-show-host"));
        Assert.Equal(["", "node-a", "node-b"], log.QuerySelectorAll("[data-log-host] option").Select(o => o.GetAttribute("value")));

        Assert.Equal(HttpStatusCode.NotFound, (await a.Client.GetAsync("/hosts/node-z", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await a.Client.GetAsync("/hosts/node%20z", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await a.Client.GetAsync("/panels/cpu?host=a%2Fb", Ct)).StatusCode);
    }

    [Fact]
    public async Task OneHostsFleet_ShowsItsDashboard_FilledThroughItsSlots()
    {
        using var node = FleetNode(await postgres.CreateDatabaseAsync(), "solo");
        await using var server = await node.StartAsync();

        var page = await PageAsync(server, "/");
        Assert.Null(page.QuerySelector("[data-fleet-grid]"));
        Assert.Equal("cpu:solo", page.QuerySelector("#panel-cpu-content")!.GetAttribute("data-slot"));
        Assert.NotNull(page.QuerySelector("[sse-swap='cpu,memory,server'][hx-swap='none']"));
    }

    [Fact]
    public async Task WithoutAFleet_PanelsTakeTheirEventsThemselves_AsBefore()
    {
        using var node = new HistoryFixture("Sqlite");
        await using var server = await node.StartAsync();

        var page = await PageAsync(server, "/");
        Assert.Equal("cpu", page.QuerySelector("#panel-cpu-content")!.GetAttribute("sse-swap"));
        Assert.Null(page.QuerySelector("[data-slot]:not([data-slot=''])"));
        Assert.Null(page.QuerySelector(".fleet-status"));
        await using var html = await SseClient.ConnectAsync(server.Client, "/sse?topics=cpu");
        Assert.StartsWith("<div class=\"panel-body cpu-body\"", (await html.NextOfTypeAsync("cpu")).Data);
    }

    internal static HistoryFixture FleetNode(string connectionString, string host) =>
        new("Postgres", connectionString, new Dictionary<string, string?>
        {
            ["Dashboard:HostName"] = host,
            ["Dashboard:Metrics:Interval"] = "00:00:01",
        });

    /// <summary><c>/</c> once it is the grid of <paramref name="hosts"/>, each with its first samples.</summary>
    internal static async Task<IDocument> GridAsync(DashboardServer server, string[] hosts)
    {
        IDocument? grid = null;
        await Eventually.TrueAsync(
            async () =>
            {
                grid = await PageAsync(server, "/");
                return hosts.All(h => grid.QuerySelector($"[data-slot='memory:{h}'] .metric-value") is not null
                    && grid.QuerySelector($"[data-slot='cpu:{h}'] .metric-value") is not null);
            },
            TimeSpan.FromSeconds(15),
            "the grid shows every host's samples");
        return grid!;
    }

    private static IElement Single(string fragment) =>
        Assert.Single(new HtmlParser().ParseDocument($"<body>{fragment}</body>").Body!.Children);

    private static async Task<IDocument> PageAsync(DashboardServer server, string path) =>
        new HtmlParser().ParseDocument(await server.Client.GetStringAsync(path, Ct));
}
