using Microsoft.Extensions.Logging;
using SseDashboard.Streaming;
using SseDashboard.Tests.Browser;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseDashboard.Tests.Samples;

/// <summary>The sample internal tool in Chromium: its own sign-in, its Orders page with live panels, the dashboard at /ops for admins.</summary>
[Collection(nameof(Chromium))]
public sealed class InternalToolBrowserTests(Chromium chromium)
{
    [Fact]
    public async Task SignedOut_OpsGoesToTheHostsOwnLogin_AndBackAfterIt()
    {
        await using var tool = await ToolServer.StartAsync();
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;

        await page.GotoAsync(tool.Url("/ops"));
        await Expect(page).ToHaveURLAsync(tool.Url("/Account/Login?ReturnUrl=%2Fops"));
        await page.FillAsync("input[name=user]", "admin");
        await page.FillAsync("input[name=password]", "admin-demo");
        await page.ClickAsync("button[type=submit]");
        await Expect(page).ToHaveURLAsync(tool.Url("/ops"));
        await DashboardBrowserTests.ExpectStatusAsync(page, "connected");
    }

    [Fact]
    public async Task Viewer_IsForbiddenOpsAndItsStream_AndTheOrdersPageShowsThemNoPanels()
    {
        await using var tool = await ToolServer.StartAsync();
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await tool.SignInAsync(page, "viewer");

        var ops = await page.GotoAsync(tool.Url("/ops"));
        Assert.Equal(403, ops!.Status);
        var stream = await page.APIRequest.GetAsync(tool.Url("/ops/sse"));
        Assert.Equal(403, stream.Status);

        await page.GotoAsync(tool.Url("/Orders"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Orders");
        await Expect(page.Locator("[data-sse-panel]")).ToHaveCountAsync(0);
        await Expect(page.Locator("script[src*='/ops/']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Admin_SeesTheOrdersPagesError_InTheOpsLog_WithItsExceptionFolded()
    {
        await using var tool = await ToolServer.StartAsync();
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await tool.SignInAsync(page, "admin", "/Orders");

        await page.Locator("tr", new() { HasText = "1002" }).Locator("button", new() { HasText = "Charge card" }).ClickAsync();
        await Expect(page.Locator(".tool-message")).ToHaveTextAsync("Order 1002: the card was declined.");

        await page.GotoAsync(tool.Url("/ops"));
        await DashboardBrowserTests.ExpectStatusAsync(page, "connected");
        var entry = page.Locator("#panel-log .log-entry", new() { HasText = "Charging order 1002 failed" });
        await Expect(entry).ToHaveAttributeAsync("data-level", "error");
        await Expect(entry.Locator(".log-category")).ToHaveTextAsync("InternalTool.Pages.OrdersModel");
        var stack = entry.Locator(".log-exception pre");
        await Expect(stack).ToBeHiddenAsync();
        await entry.Locator(".log-exception summary").ClickAsync();
        await Expect(stack).ToBeVisibleAsync();
        await Expect(stack).ToContainTextAsync("System.InvalidOperationException: Card declined for order 1002.");
        await Expect(stack).ToContainTextAsync("System.TimeoutException: The payment gateway did not answer for order 1002.");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task OrdersPage_ItsOwnPanels_UpdateLive_InItsOwnLook()
    {
        await using var tool = await ToolServer.StartAsync();
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await tool.SignInAsync(page, "admin", "/Orders");
        var hub = tool.GetRequiredService<EventHub>();
        await Eventually.TrueAsync(() => hub.SubscriberCount == 1, TimeSpan.FromSeconds(10), "the Orders page's one stream");

        // Another tab ships an order: this page, not reloaded, shows the entry.
        var other = await page.Context.NewPageAsync();
        await other.GotoAsync(tool.Url("/Orders"));
        await other.Locator("tr", new() { HasText = "1001" }).Locator("button", new() { HasText = "Ship" }).ClickAsync();
        await Expect(page.Locator("[data-sse-panel=log] .log-line", new() { HasText = "Order 1001 shipped by admin" })).ToHaveCountAsync(1);

        // The meters move on by themselves.
        var sampled = page.Locator("[data-sse-panel=meters] time");
        var first = await sampled.GetAttributeAsync("datetime");
        await Expect(sampled).Not.ToHaveAttributeAsync("datetime", first!);

        // The tool keeps its own look; the panels keep theirs.
        Assert.Contains("Georgia", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).fontFamily"));
        Assert.Equal("rgb(255, 255, 255)", await page.Locator("[data-sse-panel=log] .panel").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task OpsPage_CutOffAndResumed_LosesAndRepeatsNothing()
    {
        await using var tool = await ToolServer.StartAsync();
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await tool.SignInAsync(page, "admin", "/ops");
        await DashboardBrowserTests.ExpectStatusAsync(page, "connected");
        var logger = tool.GetRequiredService<ILoggerFactory>().CreateLogger("InternalTool.Jobs");
        var lines = page.Locator("#panel-log .log-line .log-text", new() { HasText = "job " });
        logger.LogWarning("job {Number} done", 0);
        await Expect(lines).ToHaveTextAsync(["job 0 done"]);

        // The connection is cut while entries keep coming: the page reconnects and resumes after the last it showed.
        var statuses = page.Locator("[data-conn-status]");
        await statuses.EvaluateAsync("""
            el => {
              window.statusesSeen = [];
              new MutationObserver(() => window.statusesSeen.push(el.dataset.connStatus)).observe(el, { attributes: true });
            }
            """);
        for (var i = 1; i <= 20; i++)
        {
            logger.LogWarning("job {Number} done", i);
            if (i == 10)
            {
                tool.CutStreams();
            }
        }

        await Expect(lines).ToHaveTextAsync(Enumerable.Range(0, 21).Select(i => $"job {i} done").ToArray());
        await DashboardBrowserTests.ExpectStatusAsync(page, "connected");
        Assert.Contains("reconnecting", await page.EvaluateAsync<string[]>("() => window.statusesSeen"));
    }
}
