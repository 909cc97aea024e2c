using System.Text.Json;
using AngleSharp.Html.Parser;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Clock;

/// <summary>The clock inside the real app on Kestrel, read back through <c>/sse</c>.</summary>
public sealed class ClockEndToEndTests
{
    [Fact]
    public async Task Clock_JsonAndHtml_CarryTheSameInstant()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:Clock:Interval"] = "00:00:00.05" });
        await using var json = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock&format=json");
        await using var html = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock");

        var jsonEvents = new Dictionary<string, string>();
        for (var i = 0; i < 3; i++)
        {
            var item = await json.NextAsync();
            jsonEvents[item.EventId!] = item.Data;
        }

        var htmlItem = await html.NextAsync();
        while (!jsonEvents.ContainsKey(htmlItem.EventId!))
        {
            var item = await json.NextAsync();
            jsonEvents[item.EventId!] = item.Data;
        }

        using var doc = JsonDocument.Parse(jsonEvents[htmlItem.EventId!]);
        var timestamp = doc.RootElement.GetProperty("timestamp").GetString()!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", timestamp);
        Assert.True(doc.RootElement.GetProperty("uptimeSeconds").GetDouble() > 0);
        Assert.Equal(["timestamp", "uptimeSeconds", "host"], doc.RootElement.EnumerateObject().Select(p => p.Name));

        var fragment = new HtmlParser().ParseDocument(htmlItem.Data);
        Assert.Equal(timestamp, fragment.QuerySelector("time")?.GetAttribute("datetime"));
    }
}
