using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using SseDashboard.Metrics;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.History;

/// <summary><c>/api/logs</c> and <c>/api/history/{topic}</c> over a real store.</summary>
public sealed class HistoryApiTests(PostgresServer postgres)
{
    public static TheoryData<string> Providers => StoreProviders.All;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Logs_SearchLevelAndFile_FindStoredLines_NewestFirst_PagedByBefore(string provider)
    {
        using var fixture = new HistoryFixture(provider, await StoreProviders.ConnectionStringAsync(provider, postgres));
        await using var server = await fixture.StartAsync();
        await fixture.AppendAsync(
            "[10:00:00 INF] Connection opened to db-1",
            "[10:00:01 WRN] Connection timed out after 30 s",
            "[10:00:02 ERR] Payment failed: card declined",
            "[10:00:03 INF] connection closed",
            "[10:00:04 DBG] cache warm",
            "[10:00:05 INF] GET /api/orders/42 200");
        await HistoryFixture.StoredLinesAsync(server, l => l.Count == 6);

        // Every word, each as a prefix, case-insensitive.
        Assert.Equal(
            ["[10:00:03 INF] connection closed", "[10:00:01 WRN] Connection timed out after 30 s", "[10:00:00 INF] Connection opened to db-1"],
            await HistoryFixture.TextsAsync(server, "/api/logs?q=conn"));
        Assert.Equal(["[10:00:01 WRN] Connection timed out after 30 s"], await HistoryFixture.TextsAsync(server, "/api/logs?q=CONN%20tim"));
        Assert.Empty(await HistoryFixture.TextsAsync(server, "/api/logs?q=nothing-like-this"));
        Assert.Empty(await HistoryFixture.TextsAsync(server, "/api/logs?q=---"));

        // Words are runs of letters and digits, in a path or a name alike; a word with a hyphen is its parts in a row.
        Assert.Equal(["[10:00:05 INF] GET /api/orders/42 200"], await HistoryFixture.TextsAsync(server, "/api/logs?q=orders%2042"));
        Assert.Equal(["[10:00:00 INF] Connection opened to db-1"], await HistoryFixture.TextsAsync(server, "/api/logs?q=db-1"));
        Assert.Empty(await HistoryFixture.TextsAsync(server, "/api/logs?q=1-db"));

        // level is the least level wanted.
        Assert.Equal(
            ["[10:00:02 ERR] Payment failed: card declined", "[10:00:01 WRN] Connection timed out after 30 s"],
            await HistoryFixture.TextsAsync(server, "/api/logs?level=warn"));
        Assert.Equal(6, (await HistoryFixture.TextsAsync(server, $"/api/logs?file={Uri.EscapeDataString(fixture.Log)}")).Count);
        Assert.Empty(await HistoryFixture.TextsAsync(server, "/api/logs?file=other.log"));

        // Pages of two, by before=next, until next is null.
        var seen = new List<string>();
        var url = "/api/logs?limit=2";
        while (true)
        {
            var page = await server.Client.GetFromJsonAsync<JsonElement>(url, TestContext.Current.CancellationToken);
            var lines = page.GetProperty("lines").EnumerateArray().ToList();
            seen.AddRange(lines.Select(l => l.GetProperty("text").GetString()!));
            Assert.All(lines, l => Assert.Equal(fixture.Log, l.GetProperty("file").GetString()));
            if (page.GetProperty("next").ValueKind == JsonValueKind.Null)
            {
                break;
            }

            url = $"/api/logs?limit=2&before={page.GetProperty("next").GetInt64()}";
        }

        Assert.Equal(6, seen.Count);
        Assert.Equal(seen.Distinct(), seen);
        Assert.StartsWith("[10:00:05 INF]", seen[0]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Logs_LineIds_AreTheEventIds_AndAfterGivesTheLinesRightAfterOne(string provider)
    {
        using var fixture = new HistoryFixture(provider, await StoreProviders.ConnectionStringAsync(provider, postgres));
        await using var server = await fixture.StartAsync();
        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=log&format=json");
        await fixture.AppendAsync("a", "b", "c", "d");
        var (_, events) = await HistoryFixture.ReadLogAsync(sse, 4);
        await HistoryFixture.StoredLinesAsync(server, l => l.Count == 4);

        var page = await server.Client.GetFromJsonAsync<JsonElement>("/api/logs", TestContext.Current.CancellationToken);
        var ids = page.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("id").GetInt64()).ToList();
        // The newest line's id is the last event's id; a resume from it misses nothing.
        Assert.Equal(events[^1].Id, ids[0]);
        Assert.Equal(ids.Order().Reverse(), ids);

        var after = await HistoryFixture.TextsAsync(server, $"/api/logs?after={ids[3]}&limit=2");
        Assert.Equal(["c", "b"], after);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Logs_FormatHtml_IsThePanelsMarkup_OldestFirst_EachLineWithItsId(string provider)
    {
        using var fixture = new HistoryFixture(provider, await StoreProviders.ConnectionStringAsync(provider, postgres));
        await using var server = await fixture.StartAsync();
        await fixture.AppendAsync("[10:00:00 ERR] <b>bold</b> failure", "second");
        await HistoryFixture.StoredLinesAsync(server, l => l.Count == 2);

        using var response = await server.Client.GetAsync("/api/logs?format=html&limit=1", TestContext.Current.CancellationToken);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.Contains("X-Next-Before"));
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var document = new HtmlParser().ParseDocument(html);
        var line = Assert.Single(document.QuerySelectorAll(".log-line"));
        Assert.Equal("second", line.TextContent);

        var all = new HtmlParser().ParseDocument(await server.Client.GetStringAsync("/api/logs?format=html", TestContext.Current.CancellationToken));
        var lines = all.QuerySelectorAll(".log-line").ToList();
        Assert.Equal(["[10:00:00 ERR] <b>bold</b> failure", "second"], lines.Select(l => l.TextContent));
        Assert.Equal("error", lines[0].GetAttribute("data-level"));
        Assert.Empty(all.QuerySelectorAll("b"));
        Assert.True(long.Parse(lines[0].GetAttribute("data-id")!) < long.Parse(lines[1].GetAttribute("data-id")!));
    }

    [Theory]
    [InlineData("/api/logs?from=yesterday", "from")]
    [InlineData("/api/logs?to=2026-13-01", "to")]
    [InlineData("/api/logs?limit=ten", "limit")]
    [InlineData("/api/logs?limit=0", "limit")]
    [InlineData("/api/logs?limit=1001", "limit")]
    [InlineData("/api/logs?before=-5", "before")]
    [InlineData("/api/logs?after=x", "after")]
    [InlineData("/api/logs?level=loud", "level")]
    [InlineData("/api/logs?format=xml", "format")]
    [InlineData("/api/logs?from=2026-11-22T10:00:00Z&to=2026-11-22T09:00:00Z", "from")]
    [InlineData("/api/history/cpu?from=noon", "from")]
    [InlineData("/api/history/memory?to=3", "to")]
    [InlineData("/api/history/cpu?from=2026-11-22T10:00:00Z&to=2026-11-22T09:00:00Z", "from")]
    public async Task BadParameters_Get400ProblemJson_NamingTheParameter(string url, string parameter)
    {
        await using var server = await DashboardServer.StartAsync();
        using var response = await server.Client.GetAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Contains(parameter, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/api/logs")]
    [InlineData("/api/history/cpu")]
    public async Task History_WithoutALogin_Is401(string url)
    {
        await using var server = await DashboardServer.StartAsync();
        using var anonymous = server.NewClient();
        using var response = await anonymous.GetAsync(url, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task History_OfAnUnknownTopic_Is404_NamingTheValidOnes()
    {
        await using var server = await DashboardServer.StartAsync();
        using var response = await server.Client.GetAsync("/api/history/disk", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(["cpu", "memory"], problem.GetProperty("validValues").EnumerateArray().Select(v => v.GetString()));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task History_ShortRange_IsBucketedSamples_WithAvgMinMax_LongRange_IsMinuteRollups(string provider)
    {
        using var fixture = new HistoryFixture(provider, await StoreProviders.ConnectionStringAsync(provider, postgres), new Dictionary<string, string?>
        {
            ["Dashboard:Metrics:Interval"] = "01:00:00",
        });
        await using var server = await fixture.StartAsync();
        var publisher = server.GetRequiredService<IEventPublisher>();
        // Yesterday 03:00 UTC: within raw retention whatever the date the test runs.
        var at = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(3), TimeSpan.Zero);
        string Iso(DateTimeOffset t) => Uri.EscapeDataString(Timestamps.Format(t));
        foreach (var (offset, percent) in new[] { (0, 10.0), (1, 30.0), (2, 20.0), (600, 80.0) })
        {
            // A host of their own: the app's own sampler's samples (its host's) are not in these ranges' figures.
            await publisher.PublishAsync(MetricsTopics.Cpu, new CpuSample(at.AddSeconds(offset), percent, 1, 2, true, false) { Host = "test-1" }, TestContext.Current.CancellationToken);
        }

        // An hour: 4-second buckets (3,600 s / 1,000 points, rounded up), read from the samples.
        JsonElement hour = default;
        await Eventually.TrueAsync(
            async () =>
            {
                hour = await server.Client.GetFromJsonAsync<JsonElement>($"/api/history/cpu?from={Iso(at)}&to={Iso(at.AddHours(1))}&host=test-1", TestContext.Current.CancellationToken);
                return hour.GetProperty("points").GetArrayLength() == 2;
            },
            TimeSpan.FromSeconds(10),
            "the samples stored");
        Assert.Equal("cpu", hour.GetProperty("topic").GetString());
        Assert.Equal(4, hour.GetProperty("bucketSeconds").GetInt32());
        var first = hour.GetProperty("points")[0];
        Assert.Equal(Timestamps.Format(at), first.GetProperty("timestamp").GetString());
        Assert.Equal(20, first.GetProperty("systemPercent").GetDouble());
        Assert.Equal(10, first.GetProperty("min").GetProperty("systemPercent").GetDouble());
        Assert.Equal(30, first.GetProperty("max").GetProperty("systemPercent").GetDouble());
        Assert.Equal(2, first.GetProperty("cores").GetDouble());
        Assert.Equal(80, hour.GetProperty("points")[1].GetProperty("systemPercent").GetDouble());

        // A week: whole-minute buckets (604,800 s / 1,000 points is 605 s, so 11 minutes) from the minute rollups.
        var week = await server.Client.GetFromJsonAsync<JsonElement>($"/api/history/cpu?from={Iso(at.AddDays(-5))}&to={Iso(at.AddDays(2))}&host=test-1", TestContext.Current.CancellationToken);
        Assert.Equal(660, week.GetProperty("bucketSeconds").GetInt32());
        var averages = week.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("systemPercent").GetDouble()).ToList();
        var together = at.ToUnixTimeSeconds() / 660 == at.AddSeconds(600).ToUnixTimeSeconds() / 660;
        Assert.Equal(together ? [35.0] : [20.0, 80.0], averages);
        Assert.Equal(10, week.GetProperty("points")[0].GetProperty("min").GetProperty("systemPercent").GetDouble());
    }
}
