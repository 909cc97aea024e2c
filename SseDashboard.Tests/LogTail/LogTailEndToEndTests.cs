using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.Options;
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

    [Fact]
    public async Task LogTail_LineWithAPassword_ArrivesMasked_AndMarkedInJsonAndHtml()
    {
        await using var feed = await LogFeed.StartAsync(new Dictionary<string, string?> { ["Dashboard:LogTail:PollInterval"] = "00:00:00.02" });
        await using var json = await SseClient.ConnectAsync(feed.Server.Client, "/sse?topics=log&format=json");
        await using var html = await SseClient.ConnectAsync(feed.Server.Client, "/sse?topics=log");

        await File.AppendAllTextAsync(feed.TailedFile, "connecting with password=hunter2\n", TestContext.Current.CancellationToken);

        var line = Assert.Single(await NextRedactionCheckedAsync(json, JsonLines));
        Assert.Equal("connecting with password=***", line.GetProperty("text").GetString());
        Assert.True(line.GetProperty("redacted").GetBoolean());

        var div = Assert.Single(await NextRedactionCheckedAsync(html, HtmlLines));
        Assert.Equal("true", div.GetAttribute("data-redacted"));
        Assert.Equal("connecting with password=***", div.FirstChild?.TextContent);
        Assert.NotNull(div.QuerySelector(".log-redacted"));
    }

    [Fact]
    public async Task Start_WithAnInvalidRedactPattern_RefusesToStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            DashboardServer.StartAsync(new Dictionary<string, string?> { ["Dashboard:LogTail:Redact:0"] = "(" }));

        Assert.Contains("Dashboard:LogTail:Redact:0 is not a valid regular expression", error.Message);
    }

    /// <summary>The lines of the next <c>log</c> event that has some; no event read on the way may carry the secret.</summary>
    private static async Task<T> NextRedactionCheckedAsync<T>(SseClient sse, Func<string, T?> lines) where T : class
    {
        while (true)
        {
            var data = (await sse.NextOfTypeAsync("log")).Data;
            Assert.DoesNotContain("hunter2", data);
            if (lines(data) is { } found)
            {
                return found;
            }
        }
    }

    private static JsonElement[]? JsonLines(string data)
    {
        var root = JsonDocument.Parse(data).RootElement;
        return root.GetProperty("kind").GetString() == "lines" ? root.GetProperty("lines").EnumerateArray().ToArray() : null;
    }

    private static IElement[]? HtmlLines(string data) =>
        new HtmlParser().ParseDocument(data).QuerySelectorAll(".log-line").ToArray() is { Length: > 0 } lines ? lines : null;

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
