using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SseDashboard.Metrics;
using SseDashboard.Producers;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Metrics;

/// <summary>The metrics producer inside the real app on Kestrel, read back through <c>/sse</c>.</summary>
public sealed class MetricsEndToEndTests
{
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
