using Microsoft.Playwright;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static SseDashboard.Tests.Browser.DashboardBrowserTests;

namespace SseDashboard.Tests.Browser;

[Collection(nameof(Chromium))]
public sealed class EmbedBrowserTests(Chromium chromium)
{
    [Fact]
    public async Task Embed_InIframeFromAllowedOrigin_IsLive()
    {
        await using var tool = await HostPage.StartAsync();
        await using var server = await StartDashboardAllowingAsync(tool);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;

        await page.GotoAsync(tool.Url("/frame?src=" + Uri.EscapeDataString(Url(server, "/panels/clock"))));

        var frame = page.FrameLocator("#embed");
        await Expect(frame.Locator("[data-conn-status]")).ToHaveAttributeAsync("data-conn-status", "connected");
        var time = frame.Locator("#panel-clock time.clock-time");
        var painted = await time.GetAttributeAsync("datetime");
        await Expect(time).Not.ToHaveAttributeAsync("datetime", painted!);
    }

    [Fact]
    public async Task Embed_InIframeFromAnotherOrigin_IsRefused()
    {
        await using var tool = await HostPage.StartAsync();
        await using var stranger = await HostPage.StartAsync();
        await using var server = await StartDashboardAllowingAsync(tool);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;

        await page.GotoAsync(stranger.Url("/frame?src=" + Uri.EscapeDataString(Url(server, "/panels/clock"))));

        await Eventually.TrueAsync(
            () => browser.Console.Any(m => m.Contains("frame-ancestors", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            "Chromium reports the frame refused by frame-ancestors");
        var frame = page.Frames.Single(f => f != page.MainFrame);
        Assert.Equal(0, await frame.Locator("#panel-clock").CountAsync());
    }

    [Fact]
    public async Task EmbedToken_InIframeFromItsOrigin_IsLiveWithoutALogin()
    {
        await using var tool = await HostPage.StartAsync();
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Clock:Interval"] = "00:00:00.2" });
        var token = await server.CreateEmbedTokenAsync(["clock"], [tool.Origin]);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;

        var frame = await FrameConnectedAsync(page, tool, server, token);

        var time = frame.Locator("#panel-clock time.clock-time");
        var painted = await time.GetAttributeAsync("datetime");
        await Expect(time).Not.ToHaveAttributeAsync("datetime", painted!);
        Assert.DoesNotContain(browser.Requests, url => url.Contains("/login", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EmbedToken_RevokedWhileFramed_ShowsSignedOutInTheFrame()
    {
        await using var tool = await HostPage.StartAsync();
        await using var server = await DashboardServer.StartAsync(QuietClock);
        var token = await server.CreateEmbedTokenAsync(["clock"], [tool.Origin]);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        var frame = await FrameConnectedAsync(page, tool, server, token);

        using var revoke = await server.Client.DeleteAsync($"/api/embed-tokens/{token.GetProperty("id").GetString()}", TestContext.Current.CancellationToken);

        await Expect(frame.Locator("[data-conn-status]")).ToHaveAttributeAsync("data-conn-status", "signed out");
        await Expect(frame.Locator("[data-signed-out]")).ToBeVisibleAsync();
        Assert.Equal("revoked", await frame.Locator("[data-signed-out]").GetAttributeAsync("data-reason"));
    }

    [Fact]
    public async Task EmbedToken_InIframeFromAnotherOrigin_IsRefused()
    {
        await using var tool = await HostPage.StartAsync();
        await using var stranger = await HostPage.StartAsync();
        await using var server = await DashboardServer.StartAsync();
        var token = await server.CreateEmbedTokenAsync(["clock"], [tool.Origin]);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;

        await page.GotoAsync(stranger.Url("/frame?src=" + Uri.EscapeDataString(new Uri(server.BaseAddress, token.GetProperty("url").GetString()).ToString())));

        await Eventually.TrueAsync(
            () => browser.Console.Any(m => m.Contains("frame-ancestors", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            "Chromium reports the frame refused by the token's frame-ancestors");
    }

    [Fact]
    public async Task Sse_ReadDirectlyWithAnEmbedToken_WorksFromItsOriginAndIsRefusedFromAnother()
    {
        await using var tool = await HostPage.StartAsync();
        await using var stranger = await HostPage.StartAsync();
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Clock:Interval"] = "00:00:00.2" });
        var token = await server.CreateEmbedTokenAsync(["clock"], [tool.Origin]);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        var sse = Uri.EscapeDataString(new Uri(server.BaseAddress, "/sse?embed=" + token.GetProperty("token").GetString()).ToString());

        await page.GotoAsync(tool.Url("/direct?sse=" + sse));
        await Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("^received [0-9]+$"));

        await page.GotoAsync(stranger.Url("/direct?sse=" + sse));
        await Expect(page).ToHaveTitleAsync("refused");
    }

    /// <summary>The tool's page framing the token's URL, once the framed panel's stream is connected.</summary>
    private static async Task<IFrameLocator> FrameConnectedAsync(IPage page, HostPage tool, DashboardServer server, System.Text.Json.JsonElement token)
    {
        await page.GotoAsync(tool.Url("/frame?src=" + Uri.EscapeDataString(new Uri(server.BaseAddress, token.GetProperty("url").GetString()).ToString())));
        var frame = page.FrameLocator("#embed");
        await Expect(frame.Locator("[data-conn-status]")).ToHaveAttributeAsync("data-conn-status", "connected");
        return frame;
    }

    private static Task<DashboardServer> StartDashboardAllowingAsync(HostPage tool) =>
        DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Clock:Interval"] = "00:00:00.2",
            ["Dashboard:Embed:AllowedOrigins:0"] = "'self'",
            ["Dashboard:Embed:AllowedOrigins:1"] = tool.Origin,
        });
}
