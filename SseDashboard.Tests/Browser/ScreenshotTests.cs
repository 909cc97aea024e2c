using Microsoft.Playwright;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static SseDashboard.Tests.Browser.DashboardBrowserTests;

namespace SseDashboard.Tests.Browser;

[Collection(nameof(Chromium))]
public sealed class ScreenshotTests(Chromium chromium)
{
    /// <summary>Regenerates docs/dashboard.png from the running dashboard: <c>dotnet test --filter Screenshot -- xUnit.Explicit=on</c>.</summary>
    [Fact(Explicit = true)]
    public async Task Screenshot_RunningDashboard_IsSavedToDocs()
    {
        await using var feed = await LogFeed.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Clock:Interval"] = "00:00:01",
            ["Dashboard:Metrics:Interval"] = "00:00:00.1",
        });
        await feed.AppendAsync(
            new LogFeedLine("2026-11-21 17:02:11.204 +00:00 [INF] Microsoft.Hosting.Lifetime: Now listening on: http://127.0.0.1:5000", "info"),
            new LogFeedLine("2026-11-21 17:02:11.219 +00:00 [INF] Microsoft.Hosting.Lifetime: Application started. Press Ctrl+C to shut down.", "info"),
            new LogFeedLine("2026-11-21 17:02:14.530 +00:00 [DBG] SseDashboard.Streaming.EventHub: subscriber 3 joined (topics clock,cpu,memory,log)", "debug"),
            new LogFeedLine("2026-11-21 17:02:19.882 +00:00 [WRN] SseDashboard.Streaming.SseEndpoint: subscriber 2 fell 512 events behind; disconnected to resume by replay", "warn"));
        await feed.MarkerAsync("rotated", "logs/dashboard-20261121.log");
        await feed.AppendAsync(
            new LogFeedLine("2026-11-21 17:03:02.017 +00:00 [ERR] Orders.Api: payment provider timed out after 30000 ms", "error"),
            new LogFeedLine("2026-11-21 17:03:02.311 +00:00 [INF] Orders.Api: retry 1 of 3 succeeded", "info"));
        await using var browser = await chromium.NewPageAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
            ColorScheme = ColorScheme.Light,
        });
        var page = browser.Page;
        await page.GotoAsync(Url(feed.Server, "/"));
        await ExpectStatusAsync(page, "connected");
        // Let the sparklines gather a few dozen samples first.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#panel-memory .sparkline path')].some(p => p.getAttribute('d').split(/[ -]/).length > 80)");
        await page.FillAsync("[data-log-filter]", "Orders");
        await Expect(page.Locator("#panel-log mark").First).ToBeVisibleAsync();
        await page.FillAsync("[data-log-filter]", "");
        await page.Locator("[data-log-filter]").BlurAsync();

        var path = Path.Combine(Path.GetDirectoryName(DashboardServer.AppContentRoot)!, "docs", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });

        Assert.True(new FileInfo(path).Length > 10_000, "the screenshot has content");
    }
}
