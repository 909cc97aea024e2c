using System.Text.Json;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.LogTail;

/// <summary>The log tail inside the real app on Kestrel, read back through <c>/sse</c>.</summary>
public sealed class LogTailEndToEndTests
{
    [Fact]
    public async Task LogTail_InitialLinesThenAppendedLines_ArriveOnTheSseStreamAsJson()
    {
        using var dir = new TempDirectory();
        var log = dir.File("app.log");
        await File.WriteAllTextAsync(log, "old 1\nold 2\nold 3\n", TestContext.Current.CancellationToken);
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:LogTail:Paths:0"] = log,
            ["Dashboard:LogTail:InitialLines"] = "2",
            ["Dashboard:LogTail:PollInterval"] = "00:00:00.02",
        });
        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=log&format=json");

        Assert.Equal(["old 2", "old 3"], await ReadLinesAsync(sse, 2));

        await File.AppendAllTextAsync(log, "[12:00:00 WRN] new <b>1</b>\nnew 2\n", TestContext.Current.CancellationToken);
        var events = await ReadEventsAsync(sse, 2);
        Assert.Equal(["[12:00:00 WRN] new <b>1</b>", "new 2"], events.SelectMany(Lines));
        var first = events[0].RootElement;
        Assert.Equal("lines", first.GetProperty("kind").GetString());
        Assert.Equal(log, first.GetProperty("file").GetString());
        Assert.Equal("warn", first.GetProperty("lines")[0].GetProperty("level").GetString());
    }

    private static async Task<List<string>> ReadLinesAsync(SseClient sse, int count)
    {
        var lines = new List<string>();
        while (lines.Count < count)
        {
            lines.AddRange(Lines(await NextLogAsync(sse)));
        }

        return lines;
    }

    private static async Task<List<JsonDocument>> ReadEventsAsync(SseClient sse, int lineCount)
    {
        var events = new List<JsonDocument>();
        while (events.Sum(e => Lines(e).Count()) < lineCount)
        {
            events.Add(await NextLogAsync(sse));
        }

        return events;
    }

    private static async Task<JsonDocument> NextLogAsync(SseClient sse)
    {
        // Skip markers (none expected here) so a slow first look cannot confuse the count.
        while (true)
        {
            var doc = JsonDocument.Parse((await sse.NextOfTypeAsync("log")).Data);
            if (doc.RootElement.GetProperty("kind").GetString() == "lines")
            {
                return doc;
            }
        }
    }

    private static IEnumerable<string> Lines(JsonDocument doc) =>
        doc.RootElement.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()!);
}
