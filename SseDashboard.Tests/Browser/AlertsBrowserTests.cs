using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SseDashboard.Tests.Alerts;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static SseDashboard.Tests.Browser.DashboardBrowserTests;

namespace SseDashboard.Tests.Browser;

/// <summary>The alerts panel in Chromium: a matching line shows up in the badge, the title and the panel; silencing it there.</summary>
[Collection(nameof(Chromium))]
public sealed class AlertsBrowserTests(Chromium chromium)
{
    [Fact]
    public async Task AMatchingLine_ShowsInTheBadgeTitleAndPanel_AndSilencingItFromThePanelMarksIt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var fixture = AlertsTests.Fixture(receiver, new()
        {
            ["Dashboard:Alerts:Rules:0:Name"] = "payment declined",
            ["Dashboard:Alerts:Rules:0:Words"] = "payment declined",
        });
        await using var server = await fixture.StartAsync();
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(server, "/"));
        await ExpectStatusAsync(page, "connected");
        await Expect(page.Locator("#panel-alerts .alerts-none")).ToHaveTextAsync("Nothing fires.");
        await Expect(page.Locator("[data-alerts-badge]")).ToBeHiddenAsync();

        await fixture.AppendAsync("WARN payment declined card=4242");

        var alert = page.Locator("#alert-payment-declined");
        await Expect(alert.Locator(".alert-state")).ToHaveTextAsync("firing");
        await Expect(alert.Locator(".alert-lines")).ToContainTextAsync("payment declined card=4242");
        await Expect(page.Locator("[data-alerts-badge]")).ToHaveTextAsync("1 firing");
        await Expect(page).ToHaveTitleAsync(new Regex(@"^\(1 firing\) "));

        await alert.GetByRole(AriaRole.Button, new() { Name = "1 h" }).ClickAsync();

        await Expect(page.Locator("#alert-payment-declined .alert-silenced")).ToHaveTextAsync("silenced");
        await Expect(page.Locator(".alerts-silences li")).ToContainTextAsync("payment declined on web-1 until");
        Assert.Empty(browser.Errors);
    }
}
