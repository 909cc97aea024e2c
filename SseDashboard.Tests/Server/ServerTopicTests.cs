using System.Text.Json;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Server;

/// <summary>The <c>server</c> topic: the dashboard's own load, on the stream and on the page.</summary>
public sealed class ServerTopicTests
{
    [Fact]
    public async Task ServerTopic_CountsTheConnectionReadingIt_WithThePublicFields()
    {
        await using var server = await DashboardServer.StartAsync();
        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=server&format=json");

        // The first may be the snapshot published before this stream was counted; the next one counts it.
        var item = await sse.NextAsync(TimeSpan.FromSeconds(5));
        if (JsonDocument.Parse(item.Data).RootElement.GetProperty("connections").GetInt64() == 0)
        {
            item = await sse.NextAsync(TimeSpan.FromSeconds(5));
        }

        using var json = JsonDocument.Parse(item.Data);
        var root = json.RootElement;

        Assert.Equal("server", item.EventType);
        Assert.Equal(["timestamp", "connections", "eventsPerSecond", "bytesPerSecond", "disconnects", "host", "store"], PayloadJson.Names(root));
        Assert.Equal(["provider", "status", "dropped"], PayloadJson.Names(root.GetProperty("store")));
        Assert.Equal("Sqlite", root.GetProperty("store").GetProperty("provider").GetString());
        Assert.True(root.GetProperty("connections").GetInt64() >= 1);
        Assert.Equal(["client", "overflow", "stalled", "capacity"], PayloadJson.Names(root.GetProperty("disconnects")));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", root.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task ServerTopic_CountsWhatWasWritten_AndStreamsThatEnded()
    {
        await using var server = await DashboardServer.StartAsync();
        await using (var brief = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock"))
        {
            await brief.NextAsync();
        }

        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=server,clock&format=json");
        JsonElement sample;
        var samples = 0;
        do
        {
            Assert.True(++samples <= 10, "no server sample counted the ended stream and the events written");
            var item = await sse.NextOfTypeAsync("server", TimeSpan.FromSeconds(5));
            sample = JsonDocument.Parse(item.Data).RootElement;
        }
        while (sample.GetProperty("disconnects").GetProperty("client").GetInt64() < 1 || sample.GetProperty("eventsPerSecond").GetDouble() <= 0);

        Assert.True(sample.GetProperty("bytesPerSecond").GetDouble() > 0);
    }

    [Fact]
    public async Task Page_ShowsTheServerPanel()
    {
        await using var server = await DashboardServer.StartAsync();

        var html = await server.Client.GetStringAsync("/panels/server", TestContext.Current.CancellationToken);
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);

        Assert.NotNull(document.QuerySelector("#panel-server [sse-swap='server']"));
        Assert.Equal("SseDashboard · Server", document.Title);
    }
}
