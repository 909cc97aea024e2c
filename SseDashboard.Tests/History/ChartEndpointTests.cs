using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using SseDashboard.Metrics;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.History;

/// <summary><c>GET /panels/{topic}/chart</c>: a panel's stored history, drawn as SVG by the server.</summary>
public sealed class ChartEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Chart_OfStoredSamples_IsAnSvgPerField_WithAxesTickLabelsAndThePoints_AndAGapWhereNoneCame()
    {
        await using var server = await DashboardServer.StartAsync();
        var publisher = server.GetRequiredService<IEventPublisher>();
        // Within raw retention, an hour that has passed: 12-second buckets read from the samples.
        var now = DateTimeOffset.UtcNow;
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-2);
        foreach (var (offset, percent) in new[] { (0, 10.0), (1, 30.0), (2, 20.0), (600, 80.0), (612, 60.0) })
        {
            await publisher.PublishAsync(MetricsTopics.Cpu, new CpuSample(hour.AddSeconds(offset), percent, 1, 2, true, false), Ct);
        }

        var url = $"/panels/cpu/chart?from={Iso(hour)}&to={Iso(hour.AddHours(1))}";
        IDocument document = null!;
        await Eventually.TrueAsync(
            async () =>
            {
                document = new HtmlParser().ParseDocument(await server.Client.GetStringAsync(url, Ct));
                return document.QuerySelector("svg")?.GetAttribute("data-times")?.Split(' ').Length == 3;
            },
            TimeSpan.FromSeconds(10),
            "the samples stored");

        Assert.Equal(["systemPercent", "processPercent"], document.QuerySelectorAll("figure.chart").Select(f => f.GetAttribute("data-field")));
        var svg = document.QuerySelector("figure[data-field=systemPercent] svg")!;
        Assert.Equal("img", svg.GetAttribute("role"));
        var summary = $"Machine CPU, {hour:yyyy-MM-dd HH:mm} to {hour.AddHours(1):yyyy-MM-dd HH:mm} UTC: average 53.3%, lowest 10%, highest 80%";
        Assert.Equal(summary, svg.GetAttribute("aria-label"));
        Assert.Equal(summary, svg.QuerySelector("title")!.TextContent);

        // Axes: time every 10 minutes (UTC), percent by quarters.
        Assert.NotNull(svg.QuerySelector(".chart-axis-x > line"));
        Assert.NotNull(svg.QuerySelector(".chart-axis-y > line"));
        Assert.Equal(
            Enumerable.Range(0, 7).Select(i => hour.AddMinutes(10 * i).ToString("HH:mm", CultureInfo.InvariantCulture)),
            svg.QuerySelectorAll(".chart-axis-x text").Select(t => t.TextContent));
        Assert.Equal(["0%", "25%", "50%", "75%", "100%"], svg.QuerySelectorAll(".chart-axis-y text").Select(t => t.TextContent));
        Assert.Contains("UTC", document.QuerySelector(".chart-caption")!.TextContent);

        // The points: each bucket's start, average, least and greatest, from the samples.
        Assert.Equal(
            new[] { 0, 600, 612 }.Select(s => hour.AddSeconds(s).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            svg.GetAttribute("data-times")!.Split(' '));
        Assert.Equal("20%|80%|60%", svg.GetAttribute("data-avg"));
        Assert.Equal("10%|80%|60%", svg.GetAttribute("data-min"));
        Assert.Equal("30%|80%|60%", svg.GetAttribute("data-max"));
        // Ten minutes with no sample between the first and the others: a lone dot, then a line and band of two.
        Assert.Single(svg.QuerySelectorAll(".chart-dot"));
        var line = svg.QuerySelector(".chart-line")!.GetAttribute("d")!;
        Assert.Equal(1, line.Count(c => c == 'M'));
        Assert.Equal(1, line.Count(c => c == 'L'));
        Assert.NotNull(svg.QuerySelector(".chart-band"));
        Assert.Equal("1%|1%|1%", document.QuerySelector("figure[data-field=processPercent] svg")!.GetAttribute("data-avg"));

        // A range from to to is fixed: nothing to refresh.
        Assert.Null(document.QuerySelector(".history-chart")!.GetAttribute("hx-trigger"));
    }

    [Fact]
    public async Task Chart_OfANamedRange_EndsNow_AndRefreshesItself()
    {
        await using var server = await DashboardServer.StartAsync();

        using var response = await server.Client.GetAsync("/panels/memory/chart?range=24h", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var document = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync(Ct));
        var chart = document.QuerySelector(".history-chart")!;
        Assert.Equal("24h", chart.GetAttribute("data-range"));
        Assert.Equal("/panels/memory/chart?range=24h", chart.GetAttribute("hx-get"));
        Assert.Matches(@"^every \d+s$", chart.GetAttribute("hx-trigger"));
        Assert.Equal(["usedPercent", "processWorkingSetBytes"], document.QuerySelectorAll("figure.chart").Select(f => f.GetAttribute("data-field")));
        Assert.StartsWith("Last 24 h", document.QuerySelector(".chart-caption")!.TextContent);
    }

    [Theory]
    [InlineData("/panels/cpu/chart?range=2h", "range")]
    [InlineData("/panels/cpu/chart?range=live", "range")]
    [InlineData("/panels/cpu/chart?range=1h&from=2026-11-20T00:00:00Z", "range")]
    [InlineData("/panels/memory/chart?from=noon", "from")]
    [InlineData("/panels/memory/chart?to=3", "to")]
    [InlineData("/panels/cpu/chart?from=2026-11-22T10:00:00Z&to=2026-11-22T09:00:00Z", "from")]
    public async Task Chart_BadRange_Is400ProblemJson_NamingTheParameter(string url, string parameter)
    {
        await using var server = await DashboardServer.StartAsync();

        using var response = await server.Client.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Contains(parameter, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Chart_OfAPanelWithout_Is404_NamingThoseWithCharts()
    {
        await using var server = await DashboardServer.StartAsync();

        using var response = await server.Client.GetAsync("/panels/clock/chart?range=1h", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(["cpu", "memory"], problem.GetProperty("validValues").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Chart_WithAnEmbedToken_IsRefused_EvenForItsOwnPanel()
    {
        await using var server = await DashboardServer.StartAsync();
        var token = (await server.CreateEmbedTokenAsync(["cpu"])).GetProperty("token").GetString();
        using var client = server.NewClient();

        using var page = await client.GetAsync($"/panels/cpu?embed={token}", Ct);
        using var chart = await client.GetAsync($"/panels/cpu/chart?range=1h&embed={token}", Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, chart.StatusCode);
        Assert.Equal("application/problem+json", chart.Content.Headers.ContentType?.MediaType);
    }

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}
