using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;
using SseDashboard.Logging;
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

    [Fact]
    public async Task EachPageLoad_IsOneRequestLine_AtInformation_InSerilogsShape()
    {
        await using var server = await StartOnDefaultLevelsAsync();
        var logs = Path.Combine(server.Directory, "logs");

        for (var i = 0; i < 3; i++)
        {
            using var page = await server.Client.GetAsync("/", TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        }

        using (await server.Client.GetAsync("/panels/memory", TestContext.Current.CancellationToken))
        {
        }

        // The last request's line is written after the pages': once it is there, theirs are too.
        await Eventually.TrueAsync(
            () => LogLines(logs).Any(l => l.Contains("HTTP GET /panels/memory responded 200 in ")),
            TimeSpan.FromSeconds(10),
            "the last request's line");
        var pages = LogLines(logs).Where(l => l.Contains("HTTP GET / responded")).ToList();
        Assert.Equal(3, pages.Count);
        Assert.All(pages, l => Assert.Matches(@"\[INF\] Serilog\.AspNetCore\.RequestLoggingMiddleware: HTTP GET / responded 200 in \d+\.\d{4} ms$", l));
    }

    [Fact]
    public async Task ThrottledLogin_IsLoggedAtInformation_NotAsAnError()
    {
        await using var server = await StartOnDefaultLevelsAsync();
        var logs = Path.Combine(server.Directory, "logs");
        using var client = server.NewClient();

        for (var i = 0; i <= SseDashboard.Auth.FailedLogins.PermitLimit; i++)
        {
            using (await client.GetAsync("/login?t=not-the-token-at-all", TestContext.Current.CancellationToken))
            {
            }
        }

        await Eventually.TrueAsync(
            () => LogLines(logs).Any(l => l.Contains("HTTP GET /login responded 429 in ")),
            TimeSpan.FromSeconds(10),
            "the throttled login's line");
        Assert.Contains("[INF]", LogLines(logs).Single(l => l.Contains("HTTP GET /login responded 429 in ")));
    }

    [Theory]
    [InlineData("/sse", 200, false, LogEventLevel.Debug)]
    [InlineData("/sse", 503, false, LogEventLevel.Debug)]
    [InlineData("/healthz", 503, false, LogEventLevel.Debug)]
    [InlineData("/sse", 500, true, LogEventLevel.Error)]
    [InlineData("/login", 429, false, LogEventLevel.Information)]
    [InlineData("/api/logs", 503, false, LogEventLevel.Information)]
    [InlineData("/", 200, false, LogEventLevel.Information)]
    [InlineData("/api/logs", 404, false, LogEventLevel.Information)]
    [InlineData("/api/logs", 500, false, LogEventLevel.Error)]
    [InlineData("/", 200, true, LogEventLevel.Error)]
    public void RequestLevel_FaultsAtError_ThenStreamsAndProbesAtDebug_RefusalsAtInformation(string path, int status, bool threw, LogEventLevel expected)
    {
        var context = new DefaultHttpContext { Request = { Path = path }, Response = { StatusCode = status } };

        Assert.Equal(expected, LoggingExtensions.LevelOf(context, 1.0, threw ? new InvalidOperationException("boom") : null));
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
