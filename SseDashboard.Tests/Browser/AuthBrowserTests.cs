using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static SseDashboard.Tests.Browser.DashboardBrowserTests;

namespace SseDashboard.Tests.Browser;

[Collection(nameof(Chromium))]
public sealed partial class AuthBrowserTests(Chromium chromium)
{
    [Fact]
    public async Task PrintedLoginLink_OfTheAppRunAsReadmeSays_LogsInAndLeavesNoTokenInTheAddress()
    {
        using var workingDirectory = new TempDirectory();
        using var app = StartApp(workingDirectory.Path);
        try
        {
            var link = await ReadLoginLinkAsync(app);
            await using var browser = await chromium.NewPageAsync();
            var page = browser.Page;

            await page.GotoAsync(link);

            await ExpectStatusAsync(page, "connected");
            Assert.Equal(new Uri(link).GetLeftPart(UriPartial.Authority) + "/", page.Url);
            await Expect(page.Locator("#panel-clock time.clock-time")).ToHaveCountAsync(1);
            Assert.True(Directory.Exists(Path.Combine(workingDirectory.Path, "data", "keys")), "keys under the default data path");
        }
        finally
        {
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task ExpiredSession_ShowsSignedOutWithALoginLink_AndNeverReconnects()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>(QuietClock) { ["Dashboard:Auth:SessionLifetime"] = "00:00:03" });
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.Clock.InstallAsync();
        await page.GotoAsync(Url(server, "/"));
        await ExpectStatusAsync(page, "connected");

        await ExpectStatusAsync(page, "signed out");
        await Expect(page.Locator("[data-signed-out]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-signed-out] a")).ToHaveAttributeAsync("href", "/login");
        Assert.Equal("expired", await page.Locator("[data-signed-out]").GetAttributeAsync("data-reason"));
        var streams = browser.Requests.Count(IsStream);
        await page.Clock.RunForAsync(5 * 60_000);

        Assert.Equal(streams, browser.Requests.Count(IsStream));
        await Expect(page.Locator("[data-stream-start]")).ToBeHiddenAsync();
        await Eventually.TrueAsync(() => server.GetRequiredService<SseDashboard.Streaming.EventHub>().SubscriberCount == 0, TimeSpan.FromSeconds(5), "the stream closed");
    }

    [Fact]
    public async Task LogOut_InOneTab_LandsOnTheLoginForm_AndSignsOutTheOtherTab()
    {
        await using var server = await DashboardServer.StartAsync(QuietClock);
        await using var browser = await chromium.NewPageAsync();
        var first = browser.Page;
        await first.GotoAsync(Url(server, "/"));
        var second = await first.Context.NewPageAsync();
        await second.GotoAsync(new Uri(server.BaseAddress, "/").ToString());
        await ExpectStatusAsync(first, "connected");
        await ExpectStatusAsync(second, "connected");

        await first.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Log out" }).ClickAsync();

        await Expect(first).ToHaveURLAsync(new Regex("/login$"));
        await Expect(first.Locator("input#token")).ToBeVisibleAsync();
        await ExpectStatusAsync(second, "signed out");
        Assert.Equal("revoked", await second.Locator("[data-signed-out]").GetAttributeAsync("data-reason"));
    }

    [Fact]
    public async Task Refused401OnReconnect_ShowsSignedOut_AndStopsRetrying()
    {
        await using var server = await DashboardServer.StartAsync(QuietClock);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.Clock.InstallAsync();
        await page.GotoAsync(Url(server, "/"));
        await ExpectStatusAsync(page, "connected");

        // The session is gone (cookies cleared); the next connection is refused with 401.
        await page.Context.ClearCookiesAsync();
        await page.Locator("[data-stream-stop]").ClickAsync();
        await page.Locator("[data-stream-start]").ClickAsync();

        await ExpectStatusAsync(page, "signed out");
        var streams = browser.Requests.Count(IsStream);
        await page.Clock.RunForAsync(5 * 60_000);
        Assert.Equal(streams, browser.Requests.Count(IsStream));
    }

    [Fact]
    public async Task EmbedAction_MakesATokenForThatPanel_AndShowsTheIframeSnippet()
    {
        await using var server = await DashboardServer.StartAsync(QuietClock);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(server, "/"));

        await page.Locator("#panel-cpu [data-embed]").ClickAsync();
        await page.Locator("[data-embed-origins]").FillAsync("https://tools.example");
        await page.Locator("[data-embed-create]").ClickAsync();

        var snippet = page.Locator("[data-embed-snippet]");
        await Expect(snippet).ToHaveValueAsync(new Regex($"^<iframe src=\"{Regex.Escape(server.BaseAddress.ToString())}panels/cpu\\?embed=[A-Za-z0-9_-]+\""));
        var listed = Assert.Single((await server.Client.GetFromJsonAsync<JsonElement>("/api/embed-tokens", TestContext.Current.CancellationToken)).EnumerateArray());
        Assert.Equal("cpu", listed.GetProperty("panels")[0].GetString());
        Assert.Equal("https://tools.example", listed.GetProperty("origins")[0].GetString());

        await page.Locator("[data-embed-origins]").FillAsync("not an origin");
        await page.Locator("[data-embed-create]").ClickAsync();
        await Expect(page.Locator("[data-embed-problem]")).ToContainTextAsync("origin");
    }

    [Fact]
    public async Task RedactedLine_ShowsTheMask_AndIsMarked()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(feed.Server, "/"));
        await ExpectStatusAsync(page, "connected");

        await File.AppendAllTextAsync(feed.TailedFile, "connecting with password=hunter2 to db\nan ordinary line\n", TestContext.Current.CancellationToken);

        var lines = page.Locator("#panel-log .log-line");
        await Expect(lines).ToHaveCountAsync(2);
        await Expect(lines.First).ToHaveAttributeAsync("data-redacted", "true");
        await Expect(lines.First.Locator(".log-redacted")).ToBeVisibleAsync();
        await Expect(lines.First).ToContainTextAsync("password=***");
        await Expect(lines.Last).Not.ToHaveAttributeAsync("data-redacted", "true");
        Assert.DoesNotContain("hunter2", await page.ContentAsync());
    }

    private static bool IsStream(string url) => new Uri(url).AbsolutePath == "/sse";

    /// <summary>The app as <c>dotnet run</c> starts it, on a free port: no token configured, so it prints a link.</summary>
    private static Process StartApp(string workingDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(typeof(DashboardApp).Assembly.Location);
        info.ArgumentList.Add("--urls=http://127.0.0.1:0");
        info.ArgumentList.Add($"--contentRoot={DashboardServer.AppContentRoot}");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    private static async Task<string> ReadLoginLinkAsync(Process app)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (await app.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (LoginLine().Match(line) is { Success: true } match)
            {
                // Keep reading, or the app's console writes would block once the pipe is full.
                _ = app.StandardOutput.BaseStream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken);
                _ = app.StandardError.BaseStream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken);
                return match.Groups["url"].Value;
            }
        }

        throw new InvalidOperationException($"The app printed no login link: {await app.StandardError.ReadToEndAsync()}");
    }

    [GeneratedRegex(@"^Login: (?<url>http://127\.0\.0\.1:[0-9]+/login\?t=[0-9a-f]{32})$")]
    private static partial Regex LoginLine();
}
