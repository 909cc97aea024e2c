using System.Text.Json;
using SseDashboard.Panels;
using SseDashboard.Meters;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Meters;

/// <summary>The <c>meters</c> topic on the real app: the framework's and the runtime's instruments, read in-process.</summary>
public sealed class MetersEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Meters_CarryTheAppsRequestsConnectionsAllocations_AsDocumented()
    {
        await using var server = await StartAsync();
        await using var stream = await SseClient.ConnectAsync(server.Client, "/sse?topics=meters&format=json");

        // Requests keep coming while we wait, so each interval has some.
        JsonElement? sample = null;
        await Eventually.TrueAsync(
            async () =>
            {
                using (await server.Client.GetAsync("/panels/clock", Ct))
                {
                }

                var item = await stream.NextAsync(TimeSpan.FromSeconds(5));
                var json = JsonDocument.Parse(item.Data).RootElement;
                sample = json;
                return Reading(json, "http.server.request.duration") is { } duration
                    && duration.GetProperty("value").GetDouble() > 0
                    && duration.TryGetProperty("p99", out _)
                    && Reading(json, "dotnet.gc.heap.total_allocated") is { } allocated
                    && allocated.GetProperty("value").ValueKind == JsonValueKind.Number;
            },
            TimeSpan.FromSeconds(20),
            "a meters event with request rates, percentiles and allocations");

        var root = sample!.Value;
        Assert.Equal(["timestamp", "instruments", "host"], PayloadJson.Names(root));
        var duration = Reading(root, "http.server.request.duration")!.Value;
        Assert.Equal(["name", "unit", "value", "p50", "p99"], PayloadJson.Names(duration));
        Assert.Equal("/s", duration.GetProperty("unit").GetString());
        Assert.True(duration.GetProperty("p50").GetDouble() <= duration.GetProperty("p99").GetDouble());
        Assert.Equal("By/s", Reading(root, "dotnet.gc.heap.total_allocated")!.Value.GetProperty("unit").GetString());
        // The stream itself holds a connection open.
        Assert.True(Reading(root, "kestrel.active_connections")!.Value.GetProperty("value").GetDouble() >= 1);
        Assert.Equal(["name", "unit", "value"], PayloadJson.Names(Reading(root, "dotnet.exceptions")!.Value));
    }

    [Fact]
    public async Task Panel_ShowsEachInstrument_WithItsValueAndPercentiles()
    {
        await using var panels = new PanelHtml(new PanelTemplate<MetersSample, MetersPanel>(MetersTopics.Meters));

        var body = await panels.RenderAsync(
            MetersTopics.Meters,
            new MetersSample(DateTimeOffset.UtcNow, [new("http.server.request.duration", "/s", 12.5, 3.2, 40), new("kestrel.active_connections", "{connection}", 7)]));

        var duration = body.QuerySelector("[data-instrument='http.server.request.duration']")!;
        var percentiles = duration.QuerySelector(".percentiles")!;
        Assert.Equal("12.5 /s", duration.QuerySelector(".metric-value")!.TextContent);
        Assert.Equal(("3.2", "40"), (percentiles.GetAttribute("data-p50"), percentiles.GetAttribute("data-p99")));
        Assert.Equal("7 connection", body.QuerySelector("[data-instrument='kestrel.active_connections'] .metric-value")!.TextContent);
        Assert.Single(duration.QuerySelectorAll("svg.sparkline"));
    }

    [Fact]
    public async Task StandaloneApp_HasNoMetersTopic_UnlessEnabled()
    {
        await using var server = await DashboardServer.StartAsync();

        using var response = await server.Client.GetAsync("/sse?topics=meters", Ct);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static Task<DashboardServer> StartAsync() =>
        DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Meters:Enabled"] = "true",
            ["Dashboard:Meters:Interval"] = "00:00:00.5",
        });

    private static JsonElement? Reading(JsonElement sample, string name) =>
        sample.GetProperty("instruments").EnumerateArray().Cast<JsonElement?>().FirstOrDefault(i => i!.Value.GetProperty("name").GetString() == name);
}
