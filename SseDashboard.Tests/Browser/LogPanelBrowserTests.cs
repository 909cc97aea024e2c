using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static SseDashboard.Tests.Browser.DashboardBrowserTests;

namespace SseDashboard.Tests.Browser;

/// <summary>The log panel's own behaviour in the page: trimming, pausing, filters, resets, hostile text.</summary>
[Collection(nameof(Chromium))]
public sealed class LogPanelBrowserTests(Chromium chromium)
{
    private const string AtEnd = "() => { const l = document.getElementById('panel-log-content'); return l.scrollHeight - l.scrollTop - l.clientHeight < 4; }";

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

    private static string[] Lines(int from, int count) => Enumerable.Range(from, count).Select(i => $"line {i}").ToArray();
}
