using Microsoft.Extensions.DependencyInjection;
using SseDashboard.Streaming;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Logging;

/// <summary>Request logging at the default levels, with the dashboard tailing its own log as <c>dotnet run</c> does.</summary>
public sealed class RequestLoggingTests
{
    [Fact]
    public async Task SseConnections_AddNoLinePerConnection_OnlyAChurnSummary_WhilePagesGetOneLineEach()
    {
        await using var server = await StartOnDefaultLevelsAsync();
        var logs = Path.Combine(server.Directory, "logs");

        for (var i = 0; i < 10; i++)
        {
            await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock");
            await sse.NextAsync();
        }

        using (await server.Client.GetAsync("/healthz", TestContext.Current.CancellationToken))
        using (await server.Client.GetAsync("/panels/clock", TestContext.Current.CancellationToken))
        {
        }

        // The summaries (one per interval with churn) add up to the ten streams opened and closed.
        await Eventually.TrueAsync(
            () => Churn(LogLines(logs)) == (10, 10),
            TimeSpan.FromSeconds(10),
            "churn summaries adding up to the ten streams");
        var lines = LogLines(logs);
        Assert.DoesNotContain(lines, l => l.Contains("/sse") || l.Contains("/healthz"));
        Assert.Single(lines, l => l.Contains("[INF]") && l.Contains("HTTP GET /panels/clock responded 200 in "));
    }

    [Fact]
    public async Task RefusedStreams_OfAFullServer_AddNoLines_AtDefaultLevels()
    {
        await using var server = await StartOnDefaultLevelsAsync(new() { ["Dashboard:Sse:MaxConnections"] = "1" });
        var logs = Path.Combine(server.Directory, "logs");
        await using var open = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock");

        for (var i = 0; i < 5; i++)
        {
            using var refused = await server.Client.GetAsync("/sse?topics=clock", TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        using (await server.Client.GetAsync("/panels/cpu", TestContext.Current.CancellationToken))
        {
        }

        // The page request's line is written after the refusals': once it is there, theirs would be too.
        await Eventually.TrueAsync(
            () => LogLines(logs).Any(l => l.Contains("HTTP GET /panels/cpu responded 200")),
            TimeSpan.FromSeconds(10),
            "the page request's line");
        Assert.DoesNotContain(LogLines(logs), l => l.Contains("/sse"));
    }

    [Fact]
    public async Task SseRequest_IsLoggedAtDebug_WhenDebugIsOn()
    {
        await using var server = await StartOnDefaultLevelsAsync(new() { ["Serilog:MinimumLevel:Default"] = "Debug" });
        var logs = Path.Combine(server.Directory, "logs");

        await using (var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock"))
        {
            await sse.NextAsync();
        }

        await Eventually.TrueAsync(
            () => LogLines(logs).Any(l => l.Contains("[DBG]") && l.Contains("HTTP GET /sse responded 200 in ")),
            TimeSpan.FromSeconds(10),
            "one Debug line for the stream");
    }

    private static Task<DashboardServer> StartOnDefaultLevelsAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Information",
            ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return DashboardServer.StartAsync(settings, builder =>
        {
            // The app tails its own log, as on its defaults; the summary comes faster than every 10 s.
            var ownLog = builder.Configuration["Serilog:WriteTo:1:Args:path"]!;
            builder.Configuration["Dashboard:LogTail:Paths:0"] = Path.Combine(Path.GetDirectoryName(ownLog)!, "dashboard-*.log");
            builder.Services.Configure<ConnectionLogOptions>(o => o.Interval = TimeSpan.FromMilliseconds(200));
        });
    }

    private static (int Opened, int Closed) Churn(IEnumerable<string> lines)
    {
        var summaries = lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"SSE clients [\d,]+ \(\+([\d,]+) −([\d,]+)\)")).Where(m => m.Success).ToList();
        return (summaries.Sum(m => int.Parse(m.Groups[1].Value.Replace(",", ""))), summaries.Sum(m => int.Parse(m.Groups[2].Value.Replace(",", ""))));
    }

    private static List<string> LogLines(string directory)
    {
        var lines = new List<string>();
        foreach (var file in Directory.Exists(directory) ? Directory.GetFiles(directory) : [])
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }

        return lines;
    }
}
