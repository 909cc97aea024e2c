using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static SseDashboard.Tests.Browser.DashboardBrowserTests;

namespace SseDashboard.Tests.Browser;

/// <summary>Chromium signing in through a real OpenID provider (oidc-provider on loopback), and out again.</summary>
[Collection(nameof(Chromium))]
public sealed class OpenIdConnectBrowserTests(Chromium chromium, OpenIdProvider provider)
{
    [Fact]
    public async Task SignsInAtTheProvider_SeesTheDashboard_AndSigningOutEndsTheSessionInEveryTabAndAtTheProvider()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>(QuietClock).With(await provider.SettingsAsync("ops")));
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;

        await page.GotoAsync(new Uri(server.BaseAddress, "/").ToString());
        await SignInAtProviderAsync(page, "alice");

        await Expect(page).ToHaveURLAsync(new Uri(server.BaseAddress, "/").ToString());
        await ExpectStatusAsync(page, "connected");
        await Expect(page.Locator(".user")).ToHaveTextAsync("alice");
        var other = await page.Context.NewPageAsync();
        await other.GotoAsync(new Uri(server.BaseAddress, "/").ToString());
        await ExpectStatusAsync(other, "connected");

        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, sign me out" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/login\\?signedOut=1$"));
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Signed out.");
        await ExpectStatusAsync(other, "signed out");
        Assert.Equal("revoked", await other.Locator("[data-signed-out]").GetAttributeAsync("data-reason"));
        // Signed out at the provider too: signing in again asks who you are.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("input[name=login]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AUserOutsideTheAllowedGroups_IsToldSo_AndCanSignOut()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>(QuietClock).With(await provider.SettingsAsync("ops")));
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;

        var denied = page.WaitForResponseAsync(r => r.Url.EndsWith("/denied", StringComparison.Ordinal) || r.Url.Contains("/denied?", StringComparison.Ordinal));
        await page.GotoAsync(new Uri(server.BaseAddress, "/").ToString());
        await SignInAtProviderAsync(page, "bob");

        Assert.Equal(403, (await denied).Status);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("You are signed in as bob (bob@example.test), who may not see this dashboard.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, sign me out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Signed out.");
    }

    // The provider's own pages: its sign-in form (any password), then its consent.
    private static async Task SignInAtProviderAsync(IPage page, string user)
    {
        await page.Locator("input[name=login]").FillAsync(user);
        await page.Locator("input[name=password]").FillAsync("any");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign-in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
    }
}

internal static class SettingsExtensions
{
    public static Dictionary<string, string?> With(this Dictionary<string, string?> settings, IDictionary<string, string?> more)
    {
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }
}
