using System.Text.Json;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.Logging;
using SseDashboard.Tests.History;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.AppLog;

/// <summary>The app's own entries stored like tailed lines: found by search, with their structure, on both providers.</summary>
public sealed class AppLogHistoryTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(StoreProviders.All), MemberType = typeof(StoreProviders))]
    public async Task StoredEntry_IsFoundBySearch_WithItsMessageFieldsExceptionAndCategory_InJsonAndOnThePanel(string provider)
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Store:Provider"] = provider,
            ["Dashboard:Store:ConnectionString"] = await StoreProviders.ConnectionStringAsync(provider, postgres),
            ["Dashboard:AppLog:Enabled"] = "true",
            ["Dashboard:LogTail:Paths:0"] = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.log"),
        });

        server.GetRequiredService<ILoggerFactory>().CreateLogger("InternalTool.Orders")
            .LogError(new InvalidOperationException("card declined"), "Order {OrderId} failed for {Customer}", 42, "acme");

        JsonElement line = default;
        await Eventually.TrueAsync(
            async () =>
            {
                using var page = JsonDocument.Parse(await server.Client.GetStringAsync("/api/logs?q=order+acme", Ct));
                var found = page.RootElement.GetProperty("lines").EnumerateArray().ToList();
                line = found.Count > 0 ? found[0].Clone() : default;
                return found.Count > 0;
            },
            TimeSpan.FromSeconds(10),
            "the entry stored and found");
        var html = new HtmlParser().ParseDocument(await server.Client.GetStringAsync("/api/logs?q=order+acme&format=html", Ct));

        Assert.Equal(("Order 42 failed for acme", "error", "app"), (line.GetProperty("text").GetString(), line.GetProperty("level").GetString(), line.GetProperty("file").GetString()));
        Assert.Equal(("Order {OrderId} failed for {Customer}", 42, "InternalTool.Orders"),
            (line.GetProperty("message").GetString(), line.GetProperty("fields").GetProperty("OrderId").GetInt32(), line.GetProperty("category").GetString()));
        Assert.StartsWith("System.InvalidOperationException: card declined", line.GetProperty("exception").GetString());
        var entry = html.QuerySelector(".log-line.log-entry")!;
        Assert.Equal(("InternalTool.Orders", "System.InvalidOperationException: card declined"),
            (entry.QuerySelector(".log-category")!.TextContent, entry.QuerySelector("details.log-exception summary")!.TextContent));
    }
}
