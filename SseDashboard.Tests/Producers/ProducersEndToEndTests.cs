using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseDashboard.Producers;
using SseDashboard.Clock;
using SseDashboard.Metrics;
using SseDashboard.LogTail;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Producers;

/// <summary>The producers inside the real app on Kestrel, read back through <c>/sse</c>.</summary>
public sealed class ProducersEndToEndTests
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
    public async Task Metrics_PublishCpuAndMemory_OnTheSseStream()
    {
        await using var server = await DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Metrics:Interval"] = "00:00:00.05",
        });
        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=cpu,memory&format=json");

        var cpu = JsonDocument.Parse((await sse.NextOfTypeAsync("cpu")).Data).RootElement;
        var memory = JsonDocument.Parse((await sse.NextOfTypeAsync("memory")).Data).RootElement;
        while (cpu.GetProperty("systemPercent").ValueKind == JsonValueKind.Null && OperatingSystem.IsLinux())
        {
            // The first 50 ms window may have no clock tick accounted on an idle machine: the next one measures longer.
            cpu = JsonDocument.Parse((await sse.NextOfTypeAsync("cpu")).Data).RootElement;
        }

        Assert.InRange(cpu.GetProperty("processPercent").GetDouble(), 0, 100);
        Assert.Equal(Environment.ProcessorCount, cpu.GetProperty("cores").GetDouble());
        Assert.True(memory.GetProperty("processWorkingSetBytes").GetInt64() > 0);
        Assert.True(memory.GetProperty("gcHeapBytes").GetInt64() > 0);
        if (OperatingSystem.IsLinux())
        {
            Assert.InRange(cpu.GetProperty("systemPercent").GetDouble(), 0, 100);
            Assert.True(memory.GetProperty("totalBytes").GetInt64() > memory.GetProperty("availableBytes").GetInt64());
        }
    }

    [Fact]
    public async Task MetricsFault_ShowsTheErrorOnItsPanel_WhileTheClockCarriesOn_ThenMetricsRecover()
    {
        await using var server = await DashboardServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Dashboard:Metrics:Interval"] = "00:00:00.05",
                ["Dashboard:Clock:Interval"] = "00:00:00.05",
            },
            builder =>
            {
                builder.Services.AddSingleton<IMetricsSampler>(new FailingSampler(failures: 3));
                builder.Services.AddSingleton(new RestartPolicy(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)));
            });
        await using var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock,cpu");

        var error = await sse.NextOfTypeAsync("cpu");
        var panel = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(error.Data).QuerySelector(".panel-error");
        // A state topic gives a late subscriber the newest value: whichever failed sample that is.
        Assert.StartsWith("Metrics sampling failed: sampling fault ", panel?.TextContent);

        var clockTicks = 0;
        while (true)
        {
            var next = await sse.NextAsync();
            clockTicks += next.EventType == "clock" ? 1 : 0;
            if (next.EventType == "cpu" && !next.Data.Contains("panel-error", StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.True(clockTicks >= 2, $"the clock ticked {clockTicks} times while metrics were failing");
    }

    [Fact]
    public async Task BadProducerOptions_StopTheStart_NamingEveryKey()
    {
        // Each feature validates its own section; every failing section is reported, not just the first.
        var ex = await Assert.ThrowsAsync<AggregateException>(() => DashboardServer.StartAsync(new Dictionary<string, string?>
        {
            ["Dashboard:Metrics:Interval"] = "00:00:00",
            ["Dashboard:LogTail:InitialLines"] = "-1",
            ["Dashboard:LogTail:MaxLineBytes"] = "0",
            ["Dashboard:LogTail:PollInterval"] = "01:00:00",
            ["Dashboard:LogTail:Paths:0"] = "logs/*/app.log",
        }));

        Assert.All(ex.InnerExceptions, e => Assert.IsType<OptionsValidationException>(e));
        Assert.Contains("Dashboard:Metrics:Interval", ex.Message);
        Assert.Contains("Dashboard:LogTail:InitialLines", ex.Message);
        Assert.Contains("Dashboard:LogTail:MaxLineBytes", ex.Message);
        Assert.Contains("Dashboard:LogTail:PollInterval", ex.Message);
        Assert.Contains("Dashboard:LogTail:Paths:0 may use * and ? only in the file name", ex.Message);
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

    private sealed class FailingSampler(int failures) : IMetricsSampler
    {
        private readonly MetricsSampler _real = new(MetricsSources.Default, TimeProvider.System);
        private int _calls;

        public (CpuSample Cpu, MemorySample Memory) Sample()
        {
            var call = Interlocked.Increment(ref _calls);
            return call <= failures ? throw new InvalidOperationException($"sampling fault {call}") : _real.Sample();
        }
    }
}
