using Dapper;
using Npgsql;
using SseDashboard.Tests.Fleet;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static SseDashboard.Tests.Browser.DashboardBrowserTests;

namespace SseDashboard.Tests.Browser;

/// <summary>The fleet grid and a host's page in Chromium, on two dashboard nodes and one real PostgreSQL.</summary>
[Collection(nameof(Chromium))]
public sealed class FleetBrowserTests(Chromium chromium, PostgresServer postgres)
{
    [Fact]
    public async Task TheGrid_UpdatesEachHostsCardLive_SortsFiltersAndGrows_AndACardOpensThatHostsPage()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var nodeA = FleetPagesTests.FleetNode(connectionString, "node-a");
        using var nodeB = FleetPagesTests.FleetNode(connectionString, "node-b");
        using var nodeC = FleetPagesTests.FleetNode(connectionString, "node-c");
        await using var a = await nodeA.StartAsync();
        await using var b = await nodeB.StartAsync();
        await FleetPagesTests.GridAsync(a, ["node-a", "node-b"]);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(a, "/"));
        await ExpectStatusAsync(page, "connected");

        // A card per host, each filled live from its own host's samples.
        var cards = page.Locator(".host-card");
        await Expect(cards).ToHaveCountAsync(2);
        var sampled = page.Locator(".host-card[data-host='node-b'] [data-slot='cpu:node-b'] .sampled-at");
        var painted = await sampled.GetAttributeAsync("datetime");
        await Expect(sampled).Not.ToHaveAttributeAsync("datetime", painted!, new() { Timeout = 10_000 });
        await Expect(page.Locator(".host-card[data-host='node-b'] [data-host-status]")).ToHaveTextAsync("online", new() { Timeout = 10_000 });

        // Sorted by cpu: highest first, as the cards' own figures say; filtered by name.
        await page.SelectOptionAsync("[data-fleet-sort]", "cpu");
        await Eventually.TrueAsync(
            async () =>
            {
                var figures = await page.EvalOnSelectorAllAsync<double[]>(
                    ".host-card", "cards => cards.map(c => Number(c.querySelector('[data-slot-topic=cpu] .metric-value').dataset.value))");
                return figures.SequenceEqual(figures.OrderDescending());
            },
            TimeSpan.FromSeconds(10),
            "the cards in cpu order");
        await page.FillAsync("[data-fleet-filter]", "-b");
        await Expect(page.Locator(".host-card[data-host='node-a']")).ToBeHiddenAsync();
        await Expect(page.Locator("[data-fleet-count]")).ToHaveTextAsync("1 of 2 hosts");
        await page.FillAsync("[data-fleet-filter]", "");

        // The merged log: every host's lines, each with its host, and a filter by host.
        await nodeA.AppendAsync("from a");
        await nodeB.AppendAsync("from b");
        var lines = page.Locator("#panel-log .log-line");
        await Expect(lines.Filter(new() { HasText = "from a" })).ToHaveAttributeAsync("data-host", "node-a");
        await Expect(lines.Filter(new() { HasText = "from b" })).ToHaveAttributeAsync("data-host", "node-b");
        await page.SelectOptionAsync("[data-log-host]", "node-b");
        await Expect(lines.Filter(new() { HasText = "from a" })).ToBeHiddenAsync();
        await Expect(lines.Filter(new() { HasText = "from b" })).ToBeVisibleAsync();

        // A host that starts while the page is open gets its card.
        await using (await nodeC.StartAsync())
        {
            await Expect(page.Locator(".host-card[data-host='node-c'] [data-slot='memory:node-c'] .metric-value").First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        }

        // A card opens its host's page: that host's panels, live, and only its log.
        await page.ClickAsync(".host-card[data-host='node-b'] [data-host-link]");
        await page.WaitForURLAsync("**/hosts/node-b");
        await ExpectStatusAsync(page, "connected");
        var cpu = page.Locator("#panel-cpu-content[data-slot='cpu:node-b'] .sampled-at");
        painted = await cpu.GetAttributeAsync("datetime");
        await Expect(cpu).Not.ToHaveAttributeAsync("datetime", painted!, new() { Timeout = 10_000 });
        await nodeA.AppendAsync("a again");
        await nodeB.AppendAsync("b again");
        await Expect(page.Locator("#panel-log .log-line").Last).ToHaveTextAsync("b again", new() { Timeout = 10_000 });
        Assert.DoesNotContain("from a", await page.Locator("#panel-log").InnerTextAsync());
        Assert.DoesNotContain("a again", await page.Locator("#panel-log").InnerTextAsync());

        // Its panels embed as that host's.
        await page.Locator("#panel-cpu [data-embed]").ClickAsync();
        await page.Locator("[data-embed-create]").ClickAsync();
        await Expect(page.Locator("[data-embed-snippet]")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/panels/cpu\\?embed=[^\"]+&amp;host=node-b\""));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task LinesANodeShowedLiveWhileItsStoreWasStuck_AreOnThePageOnce_WhenTheirStoredCopiesCome()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var node = FleetPagesTests.FleetNode(connectionString, "node-s");
        await using var server = await node.StartAsync();
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(server, "/"));
        await ExpectStatusAsync(page, "connected");
        var lines = page.Locator("#panel-log .log-line");
        await node.AppendAsync("stored");
        await Expect(lines).ToHaveTextAsync(["stored"]);

        // Another transaction locks the store: the node's write waits, and it shows its line live meanwhile.
        await using (var holder = new NpgsqlConnection(connectionString))
        {
            await holder.OpenAsync(TestContext.Current.CancellationToken);
            await using var transaction = await holder.BeginTransactionAsync(TestContext.Current.CancellationToken);
            await holder.ExecuteAsync("LOCK TABLE fleet_writes IN EXCLUSIVE MODE", transaction: transaction);
            await node.AppendAsync("while held");
            await Expect(lines.Last).ToHaveTextAsync("while held", new() { Timeout = 10_000 });
            await Expect(lines.Last).ToHaveAttributeAsync("data-live", "true");
        }

        // Stored, it comes numbered; the live copy goes.
        await Expect(lines).ToHaveTextAsync(["stored", "while held"]);
        await Expect(lines.Last).ToHaveAttributeAsync("data-id", new System.Text.RegularExpressions.Regex("^[0-9]+$"));
        await Expect(page.Locator("#panel-log [data-live]")).ToHaveCountAsync(0);
        Assert.Empty(browser.Errors);
    }
}
