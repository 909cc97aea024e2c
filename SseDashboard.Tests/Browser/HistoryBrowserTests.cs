using System.Net.Http.Json;
using System.Text.Json;
using SseDashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static SseDashboard.Tests.Browser.DashboardBrowserTests;

namespace SseDashboard.Tests.Browser;

/// <summary>What the history store adds to the page: the metric panels' range picker, log scroll-back and search.</summary>
[Collection(nameof(Chromium))]
public sealed class HistoryBrowserTests(Chromium chromium)
{
    private const string LogLines = "#panel-log .log-lines .log-line";

    [Fact]
    public async Task RangePicker_AnHour_ShowsTheServerDrawnChart_HoverReadsOut_LiveComesBackStillUpdating()
    {
        await using var feed = await LogFeed.StartAsync(new Dictionary<string, string?>(QuietClock) { ["Dashboard:Metrics:Interval"] = "00:00:00.2" });
        var server = feed.Server;
        await Eventually.TrueAsync(
            async () => (await server.Client.GetFromJsonAsync<JsonElement>("/api/history/cpu", TestContext.Current.CancellationToken)).GetProperty("points").GetArrayLength() >= 2,
            TimeSpan.FromSeconds(15),
            "cpu samples stored");
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(server, "/"));
        await ExpectStatusAsync(page, "connected");
        var live = page.Locator("#panel-cpu-content");
        var chart = page.Locator("#panel-cpu-chart");
        await Expect(page.Locator("#panel-cpu [data-chart-range=live]")).ToHaveAttributeAsync("aria-pressed", "true");

        var hour = page.Locator("#panel-cpu [data-chart-range='1h']");
        await hour.ClickAsync();
        await Expect(hour).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator("#panel-cpu [data-chart-range=live]")).ToHaveAttributeAsync("aria-pressed", "false");
        var svg = chart.Locator("svg.chart-svg").First;
        await Expect(svg).ToBeVisibleAsync();
        await Expect(live).ToBeHiddenAsync();
        await Expect(svg).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^Machine CPU, .* UTC: "));
        await Expect(svg.Locator(".chart-axis-x text")).Not.ToHaveCountAsync(0);
        await Expect(svg.Locator(".chart-axis-y text").Last).ToHaveTextAsync("100%");

        // The points sit at the right edge (a few seconds of samples in an hour): the pointer there reads the newest.
        var box = (await svg.BoundingBoxAsync())!;
        await svg.HoverAsync(new() { Position = new() { X = box.Width - 2, Y = box.Height / 2 } });
        var readout = chart.Locator(".chart-readout").First;
        await Expect(readout).ToBeVisibleAsync();
        await Expect(readout).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · [\d.]+% \(min [\d.]+%, max [\d.]+%\)$"));
        await Expect(svg.Locator(".chart-crosshair")).ToHaveAttributeAsync("visibility", "visible");
        await page.Mouse.MoveAsync(0, 0);
        await Expect(readout).ToBeHiddenAsync();

        await page.Locator("#panel-cpu [data-chart-range=live]").ClickAsync();
        await Expect(live).ToBeVisibleAsync();
        await Expect(chart).ToBeHiddenAsync();
        await Expect(chart.Locator("svg")).ToHaveCountAsync(0);
        await Expect(live.Locator(".sparkline").First).ToBeVisibleAsync();
        var sampled = live.Locator("time.sampled-at");
        var shown = await sampled.GetAttributeAsync("datetime");
        await Expect(sampled).Not.ToHaveAttributeAsync("datetime", shown!);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Log_ScrolledToTheTop_LoadsEarlierLinesFromTheStore_InOrder_WithNoDuplicate()
    {
        await using var feed = await LogFeed.StartAsync(new Dictionary<string, string?>(QuietClock) { ["Dashboard:Ui:MaxLogLines"] = "100" });
        // 700 lines before the page opens (its first paint shows the newest 100, with their ids), 800 while it is open
        // (numbered in the page from each event's id), 100 at a time.
        for (var start = 0; start < 700; start += 100)
        {
            await feed.AppendAsync(Lines(start, 100));
        }

        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(feed.Server, "/"));
        await ExpectStatusAsync(page, "connected");
        var lines = page.Locator(LogLines);
        await Expect(lines).ToHaveCountAsync(100);
        await Expect(lines.First).ToHaveAttributeAsync("data-id", new System.Text.RegularExpressions.Regex("^[0-9]+$"));

        for (var start = 700; start < 1500; start += 100)
        {
            await feed.AppendAsync(Lines(start, 100));
        }

        await Expect(lines.Last).ToHaveTextAsync("line 1499");
        await Expect(lines).ToHaveCountAsync(100);
        await Expect(lines.First).ToHaveTextAsync("line 1400");
        await StoredAsync(feed.Server, "line 1499");

        // Each scroll to the top brings up to 200 earlier lines, above what was shown, without moving it.
        var note = page.Locator("#panel-log [data-log-history]");
        const string Content = "document.getElementById('panel-log-content')";
        for (var load = 0; load < 10 && await note.TextContentAsync() != "beginning of history"; load++)
        {
            var count = await lines.CountAsync();
            await page.EvaluateAsync($"{Content}.firstElementChild.id = 'was-first'; {Content}.scrollTop = 0");
            await page.WaitForFunctionAsync(
                $"() => document.querySelectorAll('{LogLines}').length > {count} || document.querySelector('#panel-log [data-log-history]').textContent === 'beginning of history'");
            Assert.True(
                await page.EvaluateAsync<bool>($"Math.abs(document.getElementById('was-first').getBoundingClientRect().top - {Content}.getBoundingClientRect().top) < 20"),
                "the line that was at the top stays where the reader saw it");
            await page.EvaluateAsync("document.getElementById('was-first').removeAttribute('id')");
        }

        await Expect(note).ToHaveTextAsync("beginning of history");
        var ids = await lines.EvaluateAllAsync<long[]>("ls => ls.map(l => Number(l.dataset.id))");
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(1500, ids.Distinct().Count());

        // New lines while the reader is up there join the end, over the cap: nothing vanishes from under the reader.
        await feed.AppendAsync(Lines(1500, 10));
        await Expect(page.Locator("#panel-log [data-log-new]")).ToHaveTextAsync("10 new lines");
        Assert.Equal(Lines(0, 1510), await lines.AllTextContentsAsync());

        // Following again, the page is cut back to its cap.
        await page.EvaluateAsync($"{Content}.scrollTop = {Content}.scrollHeight");
        await Expect(lines).ToHaveCountAsync(100);
        await Expect(lines.Last).ToHaveTextAsync("line 1509");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Log_Search_FindsALineNoLongerOnThePage_WithItsContext_PagesResults_AndBackToLiveRestoresTheLog()
    {
        await using var feed = await LogFeed.StartAsync(new Dictionary<string, string?>(QuietClock) { ["Dashboard:Ui:MaxLogLines"] = "20" });
        var lines = Lines(0, 100);
        lines[42] = "line 0042 payment declined for order 7";
        await feed.AppendAsync(lines);
        await StoredAsync(feed.Server, "line 0099");
        await using var browser = await chromium.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(Url(feed.Server, "/"));
        await ExpectStatusAsync(page, "connected");
        var live = page.Locator(LogLines);
        await Expect(live).ToHaveCountAsync(20);

        // Every word as a word prefix, any case.
        await page.FillAsync("[data-log-search]", "DECLIN pay");
        await page.PressAsync("[data-log-search]", "Enter");
        var summary = page.Locator("[data-log-results-summary]");
        await Expect(summary).ToHaveTextAsync("1 result for “DECLIN pay” in the last 24 h");
        await Expect(page.Locator("#panel-log-content")).ToBeHiddenAsync();
        var result = page.Locator(".log-result");
        await Expect(result).ToHaveCountAsync(1);
        await Expect(result.Locator(".log-result-match")).ToHaveTextAsync("line 0042 payment declined for order 7");
        await Expect(result.Locator(".log-result-match mark")).ToHaveTextAsync(["pay", "declin"]);
        await Expect(result.Locator(".log-result-head time")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$"));

        await result.Locator(".log-context-toggle").ClickAsync();
        await Expect(result.Locator(".log-context-before .log-line")).ToHaveTextAsync(["line 0039", "line 0040", "line 0041"]);
        await Expect(result.Locator(".log-context-after .log-line")).ToHaveTextAsync(["line 0043", "line 0044", "line 0045"]);
        await Expect(result.Locator(".log-context-toggle")).ToHaveAttributeAsync("aria-expanded", "true");

        // Lines that arrive meanwhile wait in the live log.
        await feed.AppendAsync("arrived while searching");
        await page.FillAsync("[data-log-search]", "line");
        await page.PressAsync("[data-log-search]", "Enter");
        await Expect(summary).ToHaveTextAsync("50+ results for “line” in the last 24 h");
        await Expect(page.Locator(".log-result .log-line").First).ToHaveTextAsync("line 0099");
        await page.ClickAsync(".log-more");
        await Expect(summary).ToHaveTextAsync("100 results for “line” in the last 24 h");
        await Expect(page.Locator(".log-result .log-line").Last).ToHaveTextAsync("line 0000");
        await Expect(page.Locator(".log-more")).ToBeHiddenAsync();

        await page.ClickAsync("[data-log-live]");
        await Expect(page.Locator("[data-log-results]")).ToBeHiddenAsync();
        await Expect(page.Locator("#panel-log-content")).ToBeVisibleAsync();
        await Expect(live.Last).ToHaveTextAsync("arrived while searching");
        await Expect(live).ToHaveCountAsync(20);
        Assert.Empty(browser.Errors);
    }

    private static string[] Lines(int from, int count) => Enumerable.Range(from, count).Select(i => $"line {i:0000}").ToArray();

    // The store's writer runs behind the hub: a line is on the page before it can be read back.
    private static Task StoredAsync(DashboardServer server, string newest) =>
        Eventually.TrueAsync(
            async () => (await server.Client.GetFromJsonAsync<JsonElement>("/api/logs?limit=1", TestContext.Current.CancellationToken))
                .GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()).SingleOrDefault() == newest,
            TimeSpan.FromSeconds(10),
            $"'{newest}' stored");
}
