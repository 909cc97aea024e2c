using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp;
using AngleSharp.Dom;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using SseDashboard.Clock;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Pages;

public sealed class DashboardPageTests
{
    // A quiet clock: after its first tick the hub's last id only moves when a test publishes.
    private static readonly Dictionary<string, string?> QuietClock = new()
    {
        ["Dashboard:Clock:Interval"] = "01:00:00",
        ["Dashboard:Metrics:Interval"] = "01:00:00",
        ["Dashboard:Server:Interval"] = "01:00:00",
    };

    [Fact]
    public async Task Index_RendersOneSseConnectAndOneSwapPerTopic()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);

        var document = await GetDocumentAsync(feed.Server, "/");

        var connect = Assert.Single(document.QuerySelectorAll("[sse-connect]"));
        Assert.Equal("sse", connect.GetAttribute("hx-ext"));
        var topics = feed.Server.GetRequiredService<EventHub>().Topics;
        Assert.Equal(topics.Count, document.QuerySelectorAll("[sse-swap]").Length);
        foreach (var topic in topics)
        {
            var panel = document.GetElementById($"panel-{topic.Name}");
            Assert.NotNull(panel);
            var swap = Assert.Single(panel.QuerySelectorAll("[sse-swap]"));
            Assert.Equal(topic.Name, swap.GetAttribute("sse-swap"));
            Assert.Equal(topic.Kind == TopicKind.Stream ? "beforeend" : "innerHTML", swap.GetAttribute("hx-swap"));
            Assert.True(connect.Contains(swap), "every panel listens on the page's one connection");
        }
    }

    [Fact]
    public async Task Index_FirstResponse_CarriesCurrentStateAndRetainedLogLines()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        var hub = feed.Server.GetRequiredService<EventHub>();
        await feed.Server.StartupEventsAsync();
        await feed.AppendAsync("first line", "second line");

        var document = await GetDocumentAsync(feed.Server, "/");

        var clock = (ClockSample)(await hub.NewestAsync(ClockTopics.Clock))!.Payload!;
        var time = document.QuerySelector("#panel-clock [sse-swap] time.clock-time");
        Assert.NotNull(time);
        Assert.Equal(Timestamps.Format(clock.Timestamp), time.GetAttribute("datetime"));
        Assert.Equal(
            ["first line", "second line"],
            document.QuerySelectorAll("#panel-log [sse-swap] .log-line").Select(l => l.TextContent));
    }

    [Fact]
    public async Task Index_ConnectUrl_ResumesAfterTheRenderedEvents_NoDuplicateNoGap()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        var hub = feed.Server.GetRequiredService<EventHub>();
        await feed.Server.StartupEventsAsync();
        await feed.AppendAsync("rendered");

        var document = await GetDocumentAsync(feed.Server, "/");
        var url = document.QuerySelector("[sse-connect]")!.GetAttribute("sse-connect")!;

        Assert.Equal(hub.LastEventId.ToString(CultureInfo.InvariantCulture), QueryHelpers.ParseQuery(new Uri(feed.Server.BaseAddress, url).Query)["lastEventId"]);
        await using var sse = await SseClient.ConnectAsync(feed.Server.Client, url);
        await feed.AppendAsync("after render");
        var next = await sse.NextAsync();
        Assert.Equal("log", next.EventType);
        Assert.Equal(["after render"], await LogLinesAsync(next.Data));
    }

    [Fact]
    public async Task Index_HostileLogText_IsRenderedAsText()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        string[] hostile = ["<img src=x onerror=alert(1)>", "<script>alert(2)</script>", "\"><svg onload=alert(3)>"];
        await feed.AppendAsync(hostile);

        var document = await GetDocumentAsync(feed.Server, "/");

        var log = document.GetElementById("panel-log-content")!;
        Assert.Equal(hostile, log.QuerySelectorAll(".log-line").Select(l => l.TextContent));
        Assert.Empty(log.QuerySelectorAll(".log-line *"));
        AssertNoInlineScript(document);
    }

    [Fact]
    public async Task Index_MaxLogLines_ReachesTheLogPanel()
    {
        await using var feed = await LogFeed.StartAsync(new Dictionary<string, string?> { ["Dashboard:Ui:MaxLogLines"] = "250" });

        var document = await GetDocumentAsync(feed.Server, "/");

        Assert.Equal("250", document.GetElementById("panel-log-content")!.GetAttribute("data-max-lines"));
    }

    [Fact]
    public async Task Index_FirstPaint_HoldsTheNewestMaxLogLinesLines_CountingEveryLineOfABatch()
    {
        await using var feed = await LogFeed.StartAsync(new Dictionary<string, string?>(QuietClock) { ["Dashboard:Ui:MaxLogLines"] = "10" });
        for (var batch = 0; batch < 5; batch++)
        {
            await feed.AppendAsync(Enumerable.Range(0, 4).Select(i => $"batch {batch} line {i}").ToArray());
        }

        var document = await GetDocumentAsync(feed.Server, "/");

        // The three newest batches hold the 10 newest lines; the two older ones would only be trimmed by the page.
        var lines = document.GetElementById("panel-log-content")!.QuerySelectorAll(".log-line").Select(l => l.TextContent).ToList();
        Assert.Equal(Enumerable.Range(2, 3).SelectMany(b => Enumerable.Range(0, 4).Select(i => $"batch {b} line {i}")), lines);
    }

    [Fact]
    public async Task Index_FirstPaint_MarksEachLogLineWithItsStoredId()
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        await feed.AppendAsync("one", "two");
        await feed.AppendAsync("three");
        List<JsonElement> stored = [];
        await Eventually.TrueAsync(
            async () =>
            {
                var page = await feed.Server.Client.GetFromJsonAsync<JsonElement>("/api/logs", TestContext.Current.CancellationToken);
                stored = page.GetProperty("lines").EnumerateArray().Reverse().ToList();
                return stored.Count == 3;
            },
            TimeSpan.FromSeconds(10),
            "the lines stored");

        var document = await GetDocumentAsync(feed.Server, "/");

        // The page asks for what came before its oldest line by that line's id.
        var lines = document.QuerySelectorAll("#panel-log-content .log-line").ToList();
        Assert.Equal(["one", "two", "three"], lines.Select(l => l.TextContent));
        Assert.Equal(stored.Select(l => l.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture)), lines.Select(l => l.GetAttribute("data-id")));
        Assert.All(lines, l => Assert.True(DateTimeOffset.TryParse(l.GetAttribute("data-at"), CultureInfo.InvariantCulture, out _)));
    }

    [Fact]
    public async Task Index_WithAStore_MetricPanelsHaveARangePicker_TheLogScrollBackAndSearch_EmbedsDoNot()
    {
        await using var server = await DashboardServer.StartAsync(QuietClock);

        var index = await GetDocumentAsync(server, "/");

        foreach (var name in new[] { "cpu", "memory" })
        {
            var picker = index.QuerySelector($"#panel-{name} [data-chart-picker]")!;
            Assert.Equal($"{(name == "cpu" ? "CPU" : "Memory")} range", picker.GetAttribute("aria-label"));
            var buttons = picker.QuerySelectorAll("button").ToList();
            Assert.Equal(["live", "1 h", "24 h", "7 d"], buttons.Select(b => b.TextContent));
            Assert.Equal(["true", "false", "false", "false"], buttons.Select(b => b.GetAttribute("aria-pressed")));
            Assert.Null(buttons[0].GetAttribute("hx-get"));
            Assert.Equal($"/panels/{name}/chart?range=1h", buttons[1].GetAttribute("hx-get"));
            Assert.Equal($"#panel-{name}-chart", buttons[1].GetAttribute("hx-target"));
            Assert.True(index.GetElementById($"panel-{name}-chart")!.HasAttribute("hidden"));
        }

        Assert.Empty(index.QuerySelectorAll("#panel-clock [data-chart-picker], #panel-server [data-chart-picker]"));
        Assert.Equal("/api/logs", index.GetElementById("panel-log-content")!.GetAttribute("data-history"));
        Assert.NotNull(index.QuerySelector("#panel-log form[role=search] [data-log-search]"));

        // An embed shows its panel live only (an embed token reaches neither the charts nor /api/logs).
        foreach (var embed in new[] { "/panels/cpu", "/panels/log" })
        {
            var document = await GetDocumentAsync(server, embed);
            Assert.Empty(document.QuerySelectorAll("[data-chart-picker], [data-chart-view], [data-log-search-form], [data-history]:not([data-history=''])"));
        }
    }

    [Fact]
    public async Task Index_WithoutAStore_HasNoRangePicker_NorScrollBack()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>(QuietClock) { ["Dashboard:Store:Provider"] = "None" });

        var index = await GetDocumentAsync(server, "/");
        using var chart = await server.Client.GetAsync("/panels/cpu/chart?range=1h", TestContext.Current.CancellationToken);

        Assert.Empty(index.QuerySelectorAll("[data-chart-picker], [data-chart-view], [data-log-search-form], [data-history]:not([data-history=''])"));
        Assert.Equal(HttpStatusCode.NotFound, chart.StatusCode);
    }

    [Fact]
    public async Task Pages_ScriptsAreStaticFilesUnderAStrictCsp()
    {
        await using var server = await DashboardServer.StartAsync(QuietClock);

        foreach (var path in new[] { "/", "/panels/clock" })
        {
            using var response = await server.Client.GetAsync(path, TestContext.Current.CancellationToken);
            var csp = Directives(response);
            Assert.Equal("'self'", csp["script-src"]);
            Assert.Equal("'self'", csp["frame-ancestors"]);
            var document = await ParseAsync(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            AssertNoInlineScript(document);

            foreach (var script in document.QuerySelectorAll("script[src]"))
            {
                using var file = await server.Client.GetAsync(script.GetAttribute("src"), TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, file.StatusCode);
                Assert.Equal("text/javascript", file.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    [Theory]
    [InlineData("clock")]
    [InlineData("log")]
    public async Task Embed_KnownPanel_RendersThatPanelAloneWithItsOwnConnection(string name)
    {
        await using var feed = await LogFeed.StartAsync(QuietClock);
        var hub = feed.Server.GetRequiredService<EventHub>();
        await feed.Server.StartupEventsAsync();

        var document = await GetDocumentAsync(feed.Server, $"/panels/{name}");

        Assert.Empty(document.QuerySelectorAll("header, h1, [data-stream-stop]"));
        var panel = Assert.Single(document.QuerySelectorAll("section.panel"));
        Assert.Equal($"panel-{name}", panel.Id);
        var connect = Assert.Single(document.QuerySelectorAll("[sse-connect]"));
        var query = QueryHelpers.ParseQuery(new Uri(feed.Server.BaseAddress, connect.GetAttribute("sse-connect")).Query);
        Assert.Equal(name, query["topics"]);
        Assert.Equal(hub.LastEventId.ToString(CultureInfo.InvariantCulture), query["lastEventId"]);
        Assert.Equal(name, Assert.Single(document.QuerySelectorAll("[sse-swap]")).GetAttribute("sse-swap"));
    }

    [Fact]
    public async Task Embed_UnknownPanel_Is404NamingThePanels()
    {
        await using var server = await DashboardServer.StartAsync(QuietClock);

        using var response = await server.Client.GetAsync("/panels/nope", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var message = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("'nope'", message);
        Assert.Contains("clock", message);
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task Embed_Theme_SetsTheDocumentTheme(string theme)
    {
        await using var server = await DashboardServer.StartAsync(QuietClock);

        var document = await GetDocumentAsync(server, $"/panels/clock?theme={theme}");

        Assert.Equal(theme, document.DocumentElement.GetAttribute("data-theme"));
    }

    [Fact]
    public async Task Embed_UnknownTheme_Is400SayingWhichAreValid()
    {
        await using var server = await DashboardServer.StartAsync(QuietClock);

        using var response = await server.Client.GetAsync("/panels/clock?theme=purple", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'light' or 'dark'", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Embed_AllowedOrigins_AreTheFrameAncestorsAndGetCorsOnSse()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>(QuietClock)
        {
            ["Dashboard:Embed:AllowedOrigins:0"] = "'self'",
            ["Dashboard:Embed:AllowedOrigins:1"] = "https://tools.example",
        });

        using var page = await server.Client.GetAsync("/panels/clock", TestContext.Current.CancellationToken);
        Assert.Equal("'self' https://tools.example", Directives(page)["frame-ancestors"]);

        using var allowed = await SendWithOriginAsync(server, "https://tools.example");
        Assert.Equal("https://tools.example", Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Equal("true", Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Credentials")));

        using var other = await SendWithOriginAsync(server, "https://elsewhere.example");
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("Dashboard:Ui:MaxLogLines", "0")]
    [InlineData("Dashboard:Embed:AllowedOrigins:0", "*")]
    [InlineData("Dashboard:Embed:AllowedOrigins:0", "https://*.example")]
    [InlineData("Dashboard:Embed:AllowedOrigins:0", "https://tools.example/app")]
    [InlineData("Dashboard:Embed:AllowedOrigins:0", "tools.example")]
    public async Task Options_BadValue_RefusesToStartNamingTheKey(string key, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(
            () => DashboardServer.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(key, error.Message);
    }

    private static async Task<HttpResponseMessage> SendWithOriginAsync(DashboardServer server, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/sse?topics=clock");
        request.Headers.Add("Origin", origin);
        return await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
    }

    private static Dictionary<string, string> Directives(HttpResponseMessage response) =>
        string.Join(";", response.Headers.GetValues("Content-Security-Policy"))
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d.Split(' ', 2))
            .ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "");

    private static void AssertNoInlineScript(IDocument document)
    {
        Assert.All(document.QuerySelectorAll("script"), s => Assert.True(s.HasAttribute("src") && s.TextContent.Length == 0, s.OuterHtml));
        Assert.DoesNotContain(document.All.SelectMany(e => e.Attributes), a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<string[]> LogLinesAsync(string fragment)
    {
        var document = await ParseAsync($"<div id=f>{fragment}</div>");
        return document.QuerySelectorAll("#f .log-line").Select(l => l.TextContent).ToArray();
    }

    private static async Task<IDocument> GetDocumentAsync(DashboardServer server, string path)
    {
        using var response = await server.Client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ParseAsync(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static Task<IDocument> ParseAsync(string html) =>
        BrowsingContext.New(AngleSharp.Configuration.Default).OpenAsync(r => r.Content(html));
}
