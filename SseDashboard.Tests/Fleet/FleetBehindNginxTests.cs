using SseDashboard.Streaming;
using SseDashboard.Tests.Browser;
using SseDashboard.Tests.History;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseDashboard.Tests.Fleet;

/// <summary>
/// Two dashboard nodes behind a real nginx, round-robin with no stickiness, as README's fleet setup: they share the
/// data path (the keys that sign sessions), and ids are the store's, so a page whose node stops goes on on the other.
/// </summary>
[Collection(nameof(Chromium))]
public sealed class FleetBehindNginxTests(Chromium chromium, PostgresServer postgres)
{
    [Fact]
    public async Task APageSurvivesItsNodeStopping_AndGoesOnWithNoLostOrRepeatedLines()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var shared = new TempDirectory();
        using var agent = new HistoryFixture("Postgres", connectionString, new Dictionary<string, string?>
        {
            ["Dashboard:HostName"] = "agent-n",
            ["Dashboard:Role"] = "Agent",
        });
        using var nodeA = Node(connectionString, "node-a", shared.Path);
        using var nodeB = Node(connectionString, "node-b", shared.Path);
        var a = await nodeA.StartAsync();
        var b = await nodeB.StartAsync();
        var stopped = new List<DashboardServer>();
        try
        {
            await using var agentServer = await agent.StartAsync();
            await using var nginx = await NginxProxy.StartAsync(
                _ => """
                    location / {
                        proxy_pass http://dashboards;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_buffering off;
                        proxy_read_timeout 1h;
                        proxy_connect_timeout 1s;
                    }
                    """,
                $$"""
                upstream dashboards {
                    server 127.0.0.1:{{a.BaseAddress.Port}};
                    server 127.0.0.1:{{b.BaseAddress.Port}};
                }
                """);
            await using var browser = await chromium.NewPageAsync();
            var page = browser.Page;
            await page.GotoAsync(new Uri(nginx.BaseAddress, $"/login?t={DashboardServer.Token}&ReturnUrl=%2F").ToString());
            await DashboardBrowserTests.ExpectStatusAsync(page, "connected");
            var lines = page.Locator("#panel-log .log-line");
            await agent.AppendAsync("c1", "c2", "c3");
            await Expect(lines).ToHaveTextAsync(["c1", "c2", "c3"]);

            // Stop the node the page's stream is on; lines go on being written meanwhile.
            var serving = a.GetRequiredService<EventHub>().SubscriberCount > 0 ? a : b;
            Assert.Equal(1, a.GetRequiredService<EventHub>().SubscriberCount + b.GetRequiredService<EventHub>().SubscriberCount);
            stopped.Add(serving);
            var stopping = serving.DisposeAsync().AsTask();
            await agent.AppendAsync("c4", "c5");
            await stopping;
            await agent.AppendAsync("c6");

            // The page reconnects through nginx to the node left, from its last id: every line once, in order.
            await Expect(lines).ToHaveTextAsync(["c1", "c2", "c3", "c4", "c5", "c6"], new() { Timeout = 20_000 });
            await DashboardBrowserTests.ExpectStatusAsync(page, "connected");
            var left = serving == a ? b : a;
            Assert.Equal(1, left.GetRequiredService<EventHub>().SubscriberCount);
            await agent.AppendAsync("c7");
            await Expect(lines).ToHaveTextAsync(["c1", "c2", "c3", "c4", "c5", "c6", "c7"]);
            Assert.Empty(browser.Errors);
        }
        finally
        {
            foreach (var server in new[] { a, b }.Except(stopped))
            {
                await server.DisposeAsync();
            }
        }
    }

    private static HistoryFixture Node(string connectionString, string host, string dataPath) =>
        new("Postgres", connectionString, new Dictionary<string, string?>
        {
            ["Dashboard:HostName"] = host,
            ["Dashboard:DataPath"] = dataPath,
            ["Dashboard:Metrics:Interval"] = "01:00:00",
        });
}
