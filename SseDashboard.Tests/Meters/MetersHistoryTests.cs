using System.Globalization;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using SseDashboard.History;
using SseDashboard.Meters;
using SseDashboard.Streaming;
using SseDashboard.Tests.History;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Meters;

/// <summary>The meters panel's history: each instrument's value stored, charted, and rolled up per minute.</summary>
public sealed class MetersHistoryTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void SampleFields_AreTopLevelNumbers_AndEachNamedInstrumentsNumbers()
    {
        using var document = JsonDocument.Parse("""
            {"timestamp":"2026-12-05T10:00:00Z","connections":3,"instruments":[
              {"name":"http.server.request.duration","unit":"/s","value":12.5,"p50":3.2,"p99":40},
              {"name":"kestrel.active_connections","unit":"{connection}","value":7},
              {"name":"waiting","unit":"/s","value":null}]}
            """);

        Assert.Equal(
            [("connections", 3.0), ("http.server.request.duration", 12.5), ("http.server.request.duration.p50", 3.2),
             ("http.server.request.duration.p99", 40.0), ("kestrel.active_connections", 7.0)],
            SampleFields.Numeric(document.RootElement));
    }

    [Theory]
    [MemberData(nameof(StoreProviders.All), MemberType = typeof(StoreProviders))]
    public async Task Chart_DrawsEachConfiguredInstrument_FromStoredSamples_AndMinutesFromRollups(string provider)
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Store:Provider"] = provider,
            ["Dashboard:Store:ConnectionString"] = await StoreProviders.ConnectionStringAsync(provider, postgres),
            ["Dashboard:Meters:Enabled"] = "true",
            ["Dashboard:Meters:Interval"] = "01:00:00",
            ["Dashboard:Meters:Instruments:0"] = "kestrel.active_connections",
            ["Dashboard:Meters:Instruments:1"] = "http.server.request.duration",
        });
        var publisher = server.GetRequiredService<IEventPublisher>();
        var now = DateTimeOffset.UtcNow;
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-2);
        foreach (var (offset, connections) in new[] { (0, 2.0), (1, 6.0), (2, 4.0) })
        {
            await publisher.PublishAsync(
                MetersTopics.Meters,
                new MetersSample(hour.AddSeconds(offset), [new("kestrel.active_connections", "{connection}", connections), new("http.server.request.duration", "/s", 10, 3, 30)]),
                Ct);
        }

        IDocument document = null!;
        await Eventually.TrueAsync(
            async () =>
            {
                document = new HtmlParser().ParseDocument(await server.Client.GetStringAsync($"/panels/meters/chart?from={Iso(hour)}&to={Iso(hour.AddHours(1))}", Ct));
                return document.QuerySelector("figure[data-field='kestrel.active_connections'] svg")?.GetAttribute("data-max") == "6";
            },
            TimeSpan.FromSeconds(10),
            "the samples stored");
        using var minutes = JsonDocument.Parse(await server.Client.GetStringAsync(
            $"/api/history/meters?from={Iso(hour.AddDays(-2))}&to={Iso(hour.AddMinutes(1))}", Ct));

        Assert.Equal(["kestrel.active_connections", "http.server.request.duration"], document.QuerySelectorAll("figure.chart").Select(f => f.GetAttribute("data-field")));
        Assert.Contains("average 4, lowest 2, highest 6", document.QuerySelector("figure[data-field='kestrel.active_connections'] svg")!.GetAttribute("aria-label"));
        var minute = minutes.RootElement.GetProperty("points").EnumerateArray().Single();
        var bucketSeconds = minutes.RootElement.GetProperty("bucketSeconds").GetInt32();
        Assert.True(bucketSeconds >= 60 && bucketSeconds % 60 == 0, $"minute buckets, read from the rollups (was {bucketSeconds} s)");
        Assert.Equal((4.0, 30.0), (minute.GetProperty("kestrel.active_connections").GetDouble(), minute.GetProperty("http.server.request.duration.p99").GetDouble()));
    }

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
}
