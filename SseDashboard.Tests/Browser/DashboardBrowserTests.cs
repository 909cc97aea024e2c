using Microsoft.Playwright;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseDashboard.Tests.Browser;

[Collection(nameof(Chromium))]
public sealed class DashboardBrowserTests(Chromium chromium)
{
    private const string AtEnd = "() => { const l = document.getElementById('panel-log-content'); return l.scrollHeight - l.scrollTop - l.clientHeight < 4; }";

    private static readonly Dictionary<string, string?> QuietClock = new()
    {
        ["Dashboard:Clock:Interval"] = "01:00:00",
        ["Dashboard:Metrics:Interval"] = "01:00:00",
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
        var settings = new Dictionary<string, string?> { ["Dashboard:Sse:Retry"] = "00:00:00.2", ["Dashboard:Clock:Interval"] = "00:00:00.2" };
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

        // The new run cannot resume the old run's ids: the hub's reset clears the old log, then lines flow again.
        await second.AppendAsync("after the restart");
        await Expect(page.Locator("#panel-log .log-line")).ToHaveTextAsync(["after the restart"]);
    }

    [Fact]
    public async Task Log_HostileText_NeverExecutes_InFirstPaintLiveOrHighlight()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        string[] hostile =
        [
            "<img src=x onerror=alert(1)>",
            "<script>alert(2)</script>",
            "\"><img src=x onerror=\"window.pwned=1\">",
            "<svg onload=alert(3)></svg><script>window.pwned=2</script>",
        ];
        await feed.AppendAsync(hostile[..2]);
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(feed.Server, "/"));
        await ExpectStatusAsync(page, "connected");

        await feed.AppendAsync(hostile[2..]);
        var lines = page.Locator("#panel-log .log-line");
        await Expect(lines).ToHaveTextAsync(hostile);
        await page.FillAsync("[data-log-filter]", "img");
        await Expect(page.Locator("#panel-log mark").First).ToHaveTextAsync("img");

        Assert.Equal(0, await page.EvaluateAsync<int>("document.querySelectorAll('#panel-log .log-line *:not(mark)').length"));
        Assert.True(await page.EvaluateAsync<bool>("window.pwned === undefined"));
        Assert.Empty(browser.Dialogs);
        Assert.DoesNotContain(browser.Requests, u => u.EndsWith("/x", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Log_NeverHoldsMoreThanMaxLogLines_AndSaysHowManyWereTrimmed()
    {
        await using var feed = await LogFeed.StartAsync(new Dictionary<string, string?>(QuietClock) { ["Dashboard:Ui:MaxLogLines"] = "20" });
        await feed.AppendAsync(Lines(0, 25));
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(feed.Server, "/"));
        var lines = page.Locator("#panel-log .log-line");
        await Expect(lines).ToHaveCountAsync(20);
        await Expect(page.Locator("[data-log-trimmed]")).ToHaveTextAsync("5 older lines trimmed");

        for (var batch = 25; batch < 55; batch += 10)
        {
            await feed.AppendAsync(Lines(batch, 10));
        }

        await Expect(lines.Last).ToHaveTextAsync("line 54");
        await Expect(lines).ToHaveCountAsync(20);
        await Expect(lines.First).ToHaveTextAsync("line 35");
        await Expect(page.Locator("[data-log-trimmed]")).ToHaveTextAsync("35 older lines trimmed");
        await page.WaitForFunctionAsync(AtEnd);
    }

    [Fact]
    public async Task Log_PauseByButtonOrScrollingUp_HoldsThePlaceAndCountsNewLines()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        await feed.AppendAsync(Lines(0, 60));
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(feed.Server, "/"));
        await ExpectStatusAsync(page, "connected");
        await page.WaitForFunctionAsync(AtEnd);
        var pause = page.Locator("[data-log-pause]");
        var newLines = page.Locator("[data-log-new]");

        await pause.ClickAsync();
        await Expect(pause).ToHaveAttributeAsync("aria-pressed", "true");
        await feed.AppendAsync(Lines(60, 5));
        await Expect(newLines).ToHaveTextAsync("5 new lines");
        Assert.False(await page.EvaluateAsync<bool>(AtEnd), "paused: the view stays where the reader is");
        await newLines.ClickAsync();
        await Expect(newLines).ToBeHiddenAsync();
        await Expect(pause).ToHaveAttributeAsync("aria-pressed", "false");
        await page.WaitForFunctionAsync(AtEnd);

        await page.EvaluateAsync("document.getElementById('panel-log-content').scrollTop = 0");
        await Expect(pause).ToHaveAttributeAsync("aria-pressed", "true");
        await feed.AppendAsync(Lines(65, 3));
        await Expect(newLines).ToHaveTextAsync("3 new lines");
        Assert.Equal(0, await page.EvaluateAsync<int>("document.getElementById('panel-log-content').scrollTop"));

        await page.EvaluateAsync("const l = document.getElementById('panel-log-content'); l.scrollTop = l.scrollHeight");
        await Expect(pause).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(newLines).ToBeHiddenAsync();
        await feed.AppendAsync("line 68");
        await Expect(page.Locator("#panel-log .log-line").Last).ToHaveTextAsync("line 68");
        await page.WaitForFunctionAsync(AtEnd);
    }

    [Fact]
    public async Task Log_LevelAndTextFilters_ShowMatchingLinesWithHighlight()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        await feed.AppendAsync(
            new LogFeedLine("alpha needle", "info"),
            new LogFeedLine("beta", "warn"),
            new LogFeedLine("gamma NEEDLE", "error"),
            new LogFeedLine("at Orders.Api.Pay()", ""),
            new LogFeedLine("delta", "debug"),
            new LogFeedLine("no level", ""),
            new LogFeedLine("fatal thing", "fatal"));
        await feed.MarkerAsync("rotated", "app.log");
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(feed.Server, "/"));
        await ExpectStatusAsync(page, "connected");
        var visible = page.Locator("#panel-log .log-line:visible");
        var marks = page.Locator("#panel-log .log-line:visible mark");

        // A line with no level of its own stays with the entry before it: the error's stack trace, not delta's tail.
        await page.SelectOptionAsync("[data-log-level]", "warn");
        await Expect(visible).ToHaveTextAsync(["beta", "gamma NEEDLE", "at Orders.Api.Pay()", "fatal thing"]);
        await Expect(page.Locator("#panel-log .log-marker[data-kind=rotated]")).ToContainTextAsync("app.log was rotated");

        await page.SelectOptionAsync("[data-log-level]", "");
        await page.FillAsync("[data-log-filter]", "needle");
        await Expect(visible).ToHaveTextAsync(["alpha needle", "gamma NEEDLE"]);
        await Expect(marks).ToHaveTextAsync(["needle", "NEEDLE"]);
        await feed.AppendAsync(new LogFeedLine("another needle", "info"), new LogFeedLine("hay", "info"));
        await Expect(visible).ToHaveTextAsync(["alpha needle", "gamma NEEDLE", "another needle"]);

        await page.CheckAsync("[data-log-regex]");
        await page.FillAsync("[data-log-filter]", "^(alpha|delta)");
        await Expect(visible).ToHaveTextAsync(["alpha needle", "delta"]);
        await Expect(marks).ToHaveTextAsync(["alpha", "delta"]);

        await page.FillAsync("[data-log-filter]", "(");
        await Expect(page.Locator("[data-log-filter-error]")).ToContainTextAsync("Not a valid regular expression");
        await Expect(visible).ToHaveCountAsync(9);
        await Expect(marks).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Log_Reset_ClearsTheLogAndItsNotes()
    {
        await using var feed = await LogFeed.StartAsync(new Dictionary<string, string?>(QuietClock) { ["Dashboard:Ui:MaxLogLines"] = "10" });
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(feed.Server, "/"));
        await ExpectStatusAsync(page, "connected");
        await feed.AppendAsync(Lines(0, 15));
        await feed.MarkerAsync("truncated", "app.log");
        await Expect(page.Locator("[data-log-trimmed]")).ToBeVisibleAsync();
        await Expect(page.Locator("#panel-log .log-marker")).ToHaveCountAsync(1);

        await feed.ResetAsync();
        await feed.AppendAsync("after the reset");

        await Expect(page.Locator("#panel-log .log-line")).ToHaveTextAsync(["after the reset"]);
        await Expect(page.Locator("#panel-log .log-marker, #panel-log .log-reset")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-log-trimmed]")).ToBeHiddenAsync();
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

    internal static string Url(DashboardServer server, string path) => new Uri(server.BaseAddress, path).ToString();

    internal static Task ExpectStatusAsync(IPage page, string status) =>
        Expect(page.Locator("[data-conn-status]")).ToHaveAttributeAsync("data-conn-status", status);

    private static string[] Lines(int from, int count) => Enumerable.Range(from, count).Select(i => $"line {i}").ToArray();
}
