using System.Text.Json;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SseDashboard.AppLog;
using SseDashboard.LogTail;
using SseDashboard.Panels;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.AppLog;

/// <summary>The app's own <c>ILogger</c> entries on the real app: in the stream's JSON and on the log panel.</summary>
public sealed class AppLogEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AppsOwnEntry_ArrivesOnTheStream_WithMessageFieldsExceptionCategoryAndTrace()
    {
        await using var server = await StartAsync();
        await using var stream = await SseClient.ConnectAsync(server.Client, "/sse?format=json&topics=log");
        var logger = server.GetRequiredService<ILoggerFactory>().CreateLogger("InternalTool.Orders");
        using var activity = new System.Diagnostics.Activity("order").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start();

        logger.LogError(new InvalidOperationException("card declined"), "Order {OrderId} failed", 42);

        JsonElement line = default;
        await Eventually.TrueAsync(
            async () =>
            {
                var batch = JsonDocument.Parse((await stream.NextAsync(TimeSpan.FromSeconds(5))).Data).RootElement;
                line = batch.GetProperty("lines").EnumerateArray().FirstOrDefault(l => l.GetProperty("text").GetString() == "Order 42 failed");
                return line.ValueKind == JsonValueKind.Object && batch.GetProperty("file").GetString() == AppLogPublisher.Source;
            },
            TimeSpan.FromSeconds(10),
            "the entry on the stream");

        Assert.Equal(["text", "level", "message", "fields", "exception", "category", "traceId"], PayloadJson.Names(line));
        Assert.Equal(("error", "Order {OrderId} failed", 42, "InternalTool.Orders"),
            (line.GetProperty("level").GetString(), line.GetProperty("message").GetString(), line.GetProperty("fields").GetProperty("OrderId").GetInt32(), line.GetProperty("category").GetString()));
        Assert.StartsWith("System.InvalidOperationException: card declined", line.GetProperty("exception").GetString());
        Assert.Equal(activity.TraceId.ToHexString(), line.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task LogPanel_ShowsTheCategory_AndTheExceptionFoldedUnderTheMessage()
    {
        await using var server = await StartAsync();
        var logger = server.GetRequiredService<ILoggerFactory>().CreateLogger("InternalTool.Orders");

        logger.LogError(new InvalidOperationException("card declined"), "Order {OrderId} failed", 42);

        AngleSharp.Dom.IElement? entry = null;
        await Eventually.TrueAsync(
            async () =>
            {
                var page = new HtmlParser().ParseDocument(await server.Client.GetStringAsync("/panels/log", Ct));
                entry = page.QuerySelectorAll(".log-line.log-entry").FirstOrDefault(e => e.QuerySelector(".log-text")?.TextContent == "Order 42 failed");
                return entry is not null;
            },
            TimeSpan.FromSeconds(10),
            "the entry on the panel");

        Assert.Equal(("error", "InternalTool.Orders", "InternalTool.Orders"),
            (entry!.GetAttribute("data-level"), entry.GetAttribute("data-category"), entry.QuerySelector(".log-category")!.TextContent));
        var exception = entry.QuerySelector("details.log-exception")!;
        Assert.False(exception.HasAttribute("open"));
        Assert.Equal("System.InvalidOperationException: card declined", exception.QuerySelector("summary")!.TextContent);
    }

    [Fact]
    public async Task MinimumLevelDebug_TakesDebugEntries_ThoughTheAppsOwnFilterStopsAtInformation()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:AppLog:Enabled"] = "true",
            ["Dashboard:AppLog:MinimumLevel"] = "Debug",
            ["Dashboard:LogTail:Paths:0"] = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.log"),
        });

        server.GetRequiredService<ILoggerFactory>().CreateLogger("InternalTool.Orders").LogDebug("a debug entry");

        await Eventually.TrueAsync(
            async () => (await server.Client.GetStringAsync("/panels/log", Ct)).Contains("a debug entry"),
            TimeSpan.FromSeconds(10),
            "the debug entry on the panel");
    }

    [Fact]
    public async Task LogPanel_StructuredEntryCut_KeepsItsCutMark_OutsideTheMessage()
    {
        await using var panels = new PanelHtml(new PanelTemplate<LogBatch, LogPanel>(LogTailTopics.Log));
        var line = new LogLine("a long message", "warn", Cut: true) { Category = "InternalTool.Orders" };

        var body = await panels.RenderAsync(LogTailTopics.Log, new LogBatch(DateTimeOffset.UnixEpoch, AppLogPublisher.Source, LogKinds.Lines, [line]));

        var entry = body.QuerySelector(".log-line.log-entry")!;
        Assert.Equal(("true", "a long message"), (entry.GetAttribute("data-cut"), entry.QuerySelector(".log-text")!.TextContent));
        Assert.NotNull(entry.QuerySelector(":scope > .log-cut"));
    }

    [Fact]
    public async Task StandaloneApp_PublishesNoEntriesOfItsOwn_UnlessEnabled()
    {
        await using var server = await DashboardServer.StartAsync();

        Assert.DoesNotContain(server.App.Services.GetServices<ILoggerProvider>(), p => p is AppLogProvider);
    }

    private static Task<DashboardServer> StartAsync() =>
        DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:AppLog:Enabled"] = "true",
            // Only the app's own entries on the log topic: no tailed file.
            ["Dashboard:LogTail:Paths:0"] = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.log"),
        });
}
