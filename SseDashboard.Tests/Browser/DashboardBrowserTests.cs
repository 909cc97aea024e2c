using Microsoft.Playwright;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseDashboard.Tests.Browser;

[Collection(nameof(Chromium))]
public sealed class DashboardBrowserTests(Chromium chromium)
{
    internal static readonly Dictionary<string, string?> QuietClock = new()
    {
        ["Dashboard:Clock:Interval"] = "01:00:00",
        ["Dashboard:Metrics:Interval"] = "01:00:00",
        ["Dashboard:Server:Interval"] = "01:00:00",
    };

    [Fact]
    public async Task Page_PanelsUpdateLive_OverOneConnection()
    {
        await using var feed = await LogFeed.StartAsync(new Dictionary<string, string?> { ["Dashboard:Clock:Interval"] = "00:00:00.2" });
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;

        await page.GotoAsync(Url(feed.Server, "/"));
        await ExpectStatusAsync(page, "connected");
        var time = page.Locator("#panel-clock time.clock-time");
        var painted = await time.GetAttributeAsync("datetime");
        await Expect(time).Not.ToHaveAttributeAsync("datetime", painted!);

        await feed.AppendAsync("a live line");
        await Expect(page.Locator("#panel-log .log-line").Last).ToHaveTextAsync("a live line", new() { Timeout = 2000 });
        Assert.Equal(1, feed.Server.GetRequiredService<EventHub>().SubscriberCount);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Page_Load_RequestsNothingThatIsMissing_ItsIconIsServed()
    {
        await using var server = await DashboardServer.StartAsync(QuietClock);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        var failed = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                failed.Enqueue($"{response.Status} {response.Url}");
            }
        };

        await page.GotoAsync(Url(server, "/"));
        await ExpectStatusAsync(page, "connected");
        var icon = await page.EvaluateAsync<string>(
            "async () => { const r = await fetch(document.querySelector('link[rel=icon]').href); return r.status + ' ' + r.headers.get('content-type'); }");

        Assert.Equal("200 image/x-icon", icon);
        Assert.Empty(failed);
    }

    [Fact]
    public async Task Page_LinesAppendedToTheTailedFile_AppearWithinTwoSeconds_ColouredByLevel()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(feed.Server, "/"));
        await ExpectStatusAsync(page, "connected");

        await File.AppendAllTextAsync(feed.TailedFile, "12:00:01 [WRN] disk almost full\nplain <b>text</b> & more\n", TestContext.Current.CancellationToken);

        var lines = page.Locator("#panel-log .log-line");
        await Expect(lines).ToHaveTextAsync(["12:00:01 [WRN] disk almost full", "plain <b>text</b> & more"], new() { Timeout = 2000 });
        await Expect(lines.First).ToHaveAttributeAsync("data-level", "warn");
        await Expect(page.Locator("#panel-log .log-line b")).ToHaveCountAsync(0);
        Assert.NotEqual(
            await lines.First.EvaluateAsync<string>("e => getComputedStyle(e).color"),
            await lines.Last.EvaluateAsync<string>("e => getComputedStyle(e).color"));
    }

    [Fact]
    public async Task Page_StopThenStart_ResumesWithNoLossAndNoDuplicate()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        var hub = feed.Server.GetRequiredService<EventHub>();
        await feed.AppendAsync("line 0");
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(feed.Server, "/"));
        await ExpectStatusAsync(page, "connected");
        await feed.AppendAsync("line 1");
        await Expect(page.Locator("#panel-log .log-line").Last).ToHaveTextAsync("line 1");

        await page.ClickAsync("[data-stream-stop]");
        await ExpectStatusAsync(page, "stopped");
        await Eventually.TrueAsync(() => hub.SubscriberCount == 0, TimeSpan.FromSeconds(5), "Stop closes the stream");
        for (var i = 2; i < 22; i++)
        {
            await feed.AppendAsync($"line {i}");
        }

        // Every status the page shows from here on: Start replaces the closed source, which is not a stop.
        await page.EvaluateAsync("""
            () => {
              window.statusesSeen = [];
              const el = document.querySelector('[data-conn-status]');
              new MutationObserver(() => window.statusesSeen.push(el.dataset.connStatus))
                .observe(el, { attributes: true, attributeFilter: ['data-conn-status'] });
            }
            """);
        await page.ClickAsync("[data-stream-start]");
        await ExpectStatusAsync(page, "connected");
        await Expect(page.Locator("#panel-log .log-line")).ToHaveTextAsync(Enumerable.Range(0, 22).Select(i => $"line {i}").ToArray());
        Assert.Equal(1, hub.SubscriberCount);
        Assert.Equal(["connecting", "connected"], (await page.EvaluateAsync<string[]>("() => window.statusesSeen")).Distinct());
    }

    [Fact]
    public async Task Page_ServerRestartedUnderIt_ReconnectsAndRecovers()
    {
        // One data path for both runs: the session cookie survives the restart, as it does for a reader.
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["Dashboard:Sse:Retry"] = "00:00:00.2",
            ["Dashboard:Clock:Interval"] = "00:00:00.2",
            ["Dashboard:DataPath"] = data.Path,
        };
        await using var first = await LogFeed.StartAsync(settings);
        var port = first.Server.BaseAddress.Port;
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(first.Server, "/"));
        await ExpectStatusAsync(page, "connected");
        await first.AppendAsync("before the restart");
        await Expect(page.Locator("#panel-log .log-line")).ToHaveTextAsync(["before the restart"]);

        await first.DisposeAsync();
        await ExpectStatusAsync(page, "reconnecting");

        await using var second = await LogFeed.StartAsync(new Dictionary<string, string?>(settings) { ["urls"] = $"http://127.0.0.1:{port}" });
        await ExpectStatusAsync(page, "connected");
        var time = page.Locator("#panel-clock time.clock-time");
        var now = await time.GetAttributeAsync("datetime");
        await Expect(time).Not.ToHaveAttributeAsync("datetime", now!);

        // The new run resumes the old run's ids from the history store: no reset, the log is kept, lines flow on.
        await second.AppendAsync("after the restart");
        await Expect(page.Locator("#panel-log .log-line")).ToHaveTextAsync(["before the restart", "after the restart"]);
    }

    [Fact]
    public async Task Page_AtPhoneWidthInDarkMode_IsOneDarkColumnWithoutSidewaysScroll()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        await using var browser = await chromium.NewPageAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            ColorScheme = ColorScheme.Dark,
        });
        var page = browser.Page;

        await page.GotoAsync(Url(feed.Server, "/"));

        await Expect(page.Locator("body")).ToHaveCSSAsync("background-color", "rgb(13, 17, 23)");
        var columns = await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('.panels')).gridTemplateColumns");
        Assert.Single(columns.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= document.documentElement.clientWidth"));

        await page.GotoAsync(Url(feed.Server, "/panels/clock?theme=light"));
        await Expect(page.Locator("#panel-clock")).ToHaveCSSAsync("background-color", "rgb(255, 255, 255)");

        await using var lightReader = await chromium.NewPageAsync(new BrowserNewContextOptions { ColorScheme = ColorScheme.Light });
        await lightReader.Page.GotoAsync(Url(feed.Server, "/panels/clock"));
        await Expect(lightReader.Page.Locator("#panel-clock")).ToHaveCSSAsync("background-color", "rgb(255, 255, 255)");
        await lightReader.Page.GotoAsync(Url(feed.Server, "/panels/clock?theme=dark"));
        await Expect(lightReader.Page.Locator("#panel-clock")).ToHaveCSSAsync("background-color", "rgb(22, 27, 34)");
    }

    /// <summary>The page at <paramref name="path"/>, reached through the login link as a reader would.</summary>
    internal static string Url(DashboardServer server, string path) => server.LoginUrl(path);

    internal static Task ExpectStatusAsync(IPage page, string status) =>
        Expect(page.Locator("[data-conn-status]")).ToHaveAttributeAsync("data-conn-status", status);
}
