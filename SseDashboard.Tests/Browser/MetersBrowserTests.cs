using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseDashboard.Tests.Browser;

[Collection(nameof(Chromium))]
public sealed class MetersBrowserTests(Chromium chromium)
{
    [Fact]
    public async Task MetersPanel_ShowsTheAppsRequests_AndUpdatesLive_WithASparkline()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Meters:Enabled"] = "true",
            ["Dashboard:Meters:Interval"] = "00:00:00.5",
        });
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;

        await page.GotoAsync(DashboardBrowserTests.Url(server, "/"));
        await DashboardBrowserTests.ExpectStatusAsync(page, "connected");
        // Requests keep coming, so every interval has percentiles to show.
        var percentiles = page.Locator("#panel-meters [data-instrument='http.server.request.duration'] .percentiles");
        await Eventually.TrueAsync(
            async () =>
            {
                using (await server.Client.GetAsync("/panels/clock", TestContext.Current.CancellationToken))
                {
                }

                return await percentiles.CountAsync() == 1;
            },
            TimeSpan.FromSeconds(15),
            "the request rate's percentiles on the page");
        var sampled = await page.Locator("#panel-meters time").GetAttributeAsync("datetime");

        // A newer sample replaces the panel in place, its sparkline drawn from the samples so far.
        await Expect(page.Locator("#panel-meters time")).Not.ToHaveAttributeAsync("datetime", sampled!, new() { Timeout = 10_000 });
        await Expect(page.Locator("#panel-meters [data-instrument='kestrel.active_connections'] svg.sparkline path")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        Assert.Empty(browser.Errors);
    }
}
