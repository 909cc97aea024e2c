using System.Net.Http.Json;
using System.Text.Json;
using SseDashboard.History;
using SseDashboard.Metrics;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.History;

/// <summary>Retention, applied in the background: log lines by count (and age), metric samples downsampled then dropped.</summary>
public sealed class RetentionTests(PostgresServer postgres)
{
    public static TheoryData<string> Providers => StoreProviders.All;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task MaxLogLines_KeepsTheNewest_AndAResumeFromATrimmedLineGetsTheReset(string provider)
    {
        using var fixture = new HistoryFixture(provider, await StoreProviders.ConnectionStringAsync(provider, postgres), new Dictionary<string, string?>
        {
            ["Dashboard:Store:MaxLogLines"] = "5",
            ["Dashboard:Store:TrimInterval"] = "00:00:00.05",
            ["Dashboard:Sse:ReplayCapacity"] = "1",
            ["Dashboard:LogTail:MaxBatchLines"] = "1",
        });
        await using var server = await fixture.StartAsync();
        var seen = await fixture.ReadLineIdAsync(server, "line 0");

        await fixture.AppendAsync(Enumerable.Range(1, 11).Select(i => $"line {i}").ToArray());

        Assert.Equal(
            ["line 7", "line 8", "line 9", "line 10", "line 11"],
            await HistoryFixture.StoredLinesAsync(server, l => l.Count == 5 && l[^1] == "line 11"));
        await using (var live = await SseClient.ConnectAsync(server.Client, "/sse?topics=log&format=json"))
        {
            // The node has the newest line (in a fleet, read from the store after the trim), so it knows what went.
            while (!(await HistoryFixture.ReadLogAsync(live, 1)).Lines.Contains("line 11"))
            {
            }
        }

        await using var resumed = await SseClient.ConnectAsync(server.Client, "/sse?topics=log&format=json", Id(seen));
        Assert.Contains("\"kind\":\"reset\"", (await resumed.NextOfTypeAsync("log")).Data);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Samples_PastMetricsRetention_AreKeptAsMinutePoints_UntilDownsampledRetention(string provider)
    {
        using var fixture = new HistoryFixture(provider, await StoreProviders.ConnectionStringAsync(provider, postgres), new Dictionary<string, string?>
        {
            ["Dashboard:Store:TrimInterval"] = "00:00:00.05",
            ["Dashboard:Metrics:Interval"] = "01:00:00",
        });
        await using var server = await fixture.StartAsync();
        var now = DateTimeOffset.UtcNow;
        var publisher = server.GetRequiredService<IEventPublisher>();
        var store = server.GetRequiredService<HistoryStore>();
        await publisher.PublishAsync(MetricsTopics.Cpu, new CpuSample(now.AddDays(-10), 42, 1, 2, true, false), TestContext.Current.CancellationToken);
        await publisher.PublishAsync(MetricsTopics.Cpu, new CpuSample(now.AddDays(-100), 99, 1, 2, true, false), TestContext.Current.CancellationToken);
        await publisher.PublishAsync(MetricsTopics.Cpu, new CpuSample(now, 7, 1, 2, true, false), TestContext.Current.CancellationToken);

        // The recent sample stays whole; the ten-day-old one only as its minute; the hundred-day-old one goes.
        await Eventually.TrueAsync(
            async () =>
            {
                var samples = await store.ReadSamplesAsync("cpu", null, now.AddDays(-200).ToUnixTimeMilliseconds(), now.AddDays(1).ToUnixTimeMilliseconds(), TestContext.Current.CancellationToken);
                // (The metrics producer's own first sample may be there too: it is recent.)
                return samples.Any(s => s.Payload.Contains("\"systemPercent\":7,", StringComparison.Ordinal))
                    && samples.All(s => s.At >= now.AddMinutes(-1).ToUnixTimeMilliseconds());
            },
            TimeSpan.FromSeconds(10),
            "only recent raw samples left");
        await Eventually.TrueAsync(
            async () => (await PointsAsync(server, now.AddDays(-101), now.AddDays(-99))).Count == 0,
            TimeSpan.FromSeconds(10),
            "the hundred-day-old minute dropped");
        var tenDays = Assert.Single(await PointsAsync(server, now.AddDays(-11), now.AddDays(-9)));
        Assert.Equal(42, tenDays.GetProperty("systemPercent").GetDouble());
        Assert.Equal(42, tenDays.GetProperty("max").GetProperty("systemPercent").GetDouble());
    }

    private static async Task<List<JsonElement>> PointsAsync(DashboardServer server, DateTimeOffset from, DateTimeOffset to)
    {
        var series = await server.Client.GetFromJsonAsync<JsonElement>(
            $"/api/history/cpu?from={Timestamps.Format(from)}&to={Timestamps.Format(to)}", TestContext.Current.CancellationToken);
        return series.GetProperty("points").EnumerateArray().ToList();
    }

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
