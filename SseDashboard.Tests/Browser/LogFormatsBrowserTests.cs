using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static SseDashboard.Tests.Browser.DashboardBrowserTests;

namespace SseDashboard.Tests.Browser;

/// <summary>A tailed file as apps write it: JSON entries, plain lines, a stack trace and terminal colours, in the page.</summary>
[Collection(nameof(Chromium))]
public sealed class LogFormatsBrowserTests(Chromium chromium)
{
    [Fact]
    public async Task MixedFile_ShowsEntriesWithChips_FoldedTracesAndColours_AndFiltersByFieldLevelAndText()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(feed.Server, "/"));
        await ExpectStatusAsync(page, "connected");

        // Written to the tailed file, as the app would write it.
        await File.AppendAllLinesAsync(feed.TailedFile, [
            """{"@t":"2026-12-05T10:00:00.000Z","@mt":"Order {OrderId} failed","@l":"Error","OrderId":42,"@x":"System.InvalidOperationException: boom\n   at Shop.Charge()"}""",
            "\u001b[33mWARN\u001b[0m \u001b]0;title\u0007disk at 91%",
            "Unhandled exception. System.TimeoutException: gateway silent",
            "   at Shop.Gateway.Call()",
            "   at Shop.Orders.Charge()",
            "status=500 path=/orders"], TestContext.Current.CancellationToken);

        var rows = page.Locator("#panel-log .log-line");
        await Expect(rows).ToHaveCountAsync(4, new() { Timeout = 5000 });

        // The JSON entry: its level, rendered message, time, a chip per field, the exception folded.
        var entry = rows.Nth(0);
        await Expect(entry).ToHaveAttributeAsync("data-level", "error");
        await Expect(entry.Locator(".log-text")).ToHaveTextAsync("Order 42 failed");
        await Expect(entry.Locator(".log-time")).ToHaveTextAsync("10:00:00.000");
        await Expect(entry.Locator(".log-field")).ToHaveTextAsync(["OrderId=42"]);
        await Expect(entry.Locator(".log-exception pre")).ToBeHiddenAsync();

        // The coloured line: its colour from the palette's class, no escape left in the page.
        var coloured = rows.Nth(1);
        await Expect(coloured.Locator(".ansi-fg-3")).ToHaveTextAsync("WARN");
        await Expect(coloured).ToHaveAttributeAsync("data-level", "warn");
        Assert.NotEqual(
            await coloured.Locator(".ansi-fg-3").EvaluateAsync<string>("e => getComputedStyle(e).color"),
            await coloured.Locator(".log-text").EvaluateAsync<string>("e => getComputedStyle(e).color"));
        Assert.DoesNotContain('\u001b', await page.Locator("#panel-log").InnerHTMLAsync());

        // The stack trace: one row, its first line shown, the rest folded until clicked.
        var trace = rows.Nth(2);
        await Expect(trace).ToHaveAttributeAsync("data-level", "error");
        await Expect(trace.Locator(":scope > .log-text")).ToHaveTextAsync("Unhandled exception. System.TimeoutException: gateway silent");
        var rest = trace.Locator(".log-rest pre");
        await Expect(rest).ToBeHiddenAsync();
        await trace.Locator(".log-rest summary").ClickAsync();
        await Expect(rest).ToHaveTextAsync("   at Shop.Gateway.Call()\n   at Shop.Orders.Charge()");

        // key=value and level:name terms filter by field and level; the words left read folded lines too.
        var filter = page.Locator("#panel-log [data-log-filter]");
        var shown = page.Locator("#panel-log .log-line:visible .log-text");
        await filter.FillAsync("OrderId=42");
        await Expect(shown).ToHaveTextAsync(["Order 42 failed"]);
        await filter.FillAsync("OrderId=4");
        await Expect(shown).ToHaveCountAsync(0);
        await filter.FillAsync("status=500");
        await Expect(page.Locator("#panel-log .log-line:visible")).ToHaveTextAsync(["status=500 path=/orders"]);
        // A match in a coloured run is marked inside it: the colour stays.
        await filter.FillAsync("WARN");
        await Expect(coloured.Locator(".ansi-fg-3 mark")).ToHaveTextAsync("WARN");
        await filter.FillAsync("level:warn");
        await Expect(shown).ToHaveTextAsync(["WARN disk at 91%"]);
        await filter.FillAsync("Gateway.Call");
        await Expect(shown).ToHaveTextAsync(["Unhandled exception. System.TimeoutException: gateway silent"]);
        Assert.Empty(browser.Errors);
    }
}
