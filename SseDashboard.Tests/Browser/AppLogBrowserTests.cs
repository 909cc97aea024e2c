using Microsoft.Extensions.Logging;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseDashboard.Tests.Browser;

[Collection(nameof(Chromium))]
public sealed class AppLogBrowserTests(Chromium chromium)
{
    [Fact]
    public async Task AppsOwnError_ShowsItsCategory_ItsExceptionUnfoldsOnClick_AndAFilterKeepsTheFold()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>(DashboardBrowserTests.QuietClock)
        {
            ["Dashboard:AppLog:Enabled"] = "true",
            ["Dashboard:LogTail:Paths:0"] = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.log"),
        });
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(DashboardBrowserTests.Url(server, "/"));
        await DashboardBrowserTests.ExpectStatusAsync(page, "connected");

        server.GetRequiredService<ILoggerFactory>().CreateLogger("InternalTool.Orders")
            .LogError(new InvalidOperationException("card declined"), "Order {OrderId} failed", 42);

        var entry = page.Locator("#panel-log .log-entry", new() { HasText = "Order 42 failed" });
        await Expect(entry.Locator(".log-category")).ToHaveTextAsync("InternalTool.Orders");
        var stack = entry.Locator(".log-exception pre");
        await Expect(stack).ToBeHiddenAsync();
        await entry.Locator(".log-exception summary").ClickAsync();
        await Expect(stack).ToBeVisibleAsync();
        await Expect(stack).ToContainTextAsync("System.InvalidOperationException: card declined");

        await page.Locator("#panel-log [data-log-filter]").FillAsync("Order 42");
        await Expect(entry.Locator(".log-text mark")).ToHaveTextAsync("Order 42");
        await Expect(stack).ToBeVisibleAsync();
        Assert.Empty(browser.Errors);
    }
}
