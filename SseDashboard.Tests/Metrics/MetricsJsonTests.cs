using System.Text.Json;
using SseDashboard.Metrics;
using static SseDashboard.Tests.Infrastructure.PayloadJson;

namespace SseDashboard.Tests.Metrics;

/// <summary>The cpu and memory topics' JSON is public API: property names exactly as the README documents them.</summary>
public sealed class MetricsJsonTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 21, 16, 35, 42, 426, TimeSpan.FromHours(2));

    [Fact]
    public void Cpu_HasThePublicFields_TimestampUtcWithMilliseconds_NoHistory()
    {
        var sample = new CpuSample(Time, 12.5, 3.2, 2, true, false) { SystemHistory = [1, 2], ProcessHistory = [3] };

        var json = Parse(MetricsTopics.Cpu.SerializeJson(sample));

        Assert.Equal(["timestamp", "systemPercent", "processPercent", "cores", "systemAvailable", "containerLimited", "host"], Names(json));
        Assert.Equal("2026-11-21T14:35:42.426Z", json.GetProperty("timestamp").GetString());
        Assert.Equal(12.5, json.GetProperty("systemPercent").GetDouble());
        Assert.Equal(3.2, json.GetProperty("processPercent").GetDouble());
        Assert.Equal(2, json.GetProperty("cores").GetDouble());
    }

    [Fact]
    public void Cpu_Unavailable_IsNullWithTheFlag_AndAFaultCarriesError()
    {
        var unavailable = Parse(MetricsTopics.Cpu.SerializeJson(new CpuSample(Time, null, 1, 4, false, false)));
        Assert.Equal(JsonValueKind.Null, unavailable.GetProperty("systemPercent").ValueKind);
        Assert.False(unavailable.GetProperty("systemAvailable").GetBoolean());

        var faulted = Parse(MetricsTopics.Cpu.SerializeJson(CpuSample.Faulted(Time, "boom")));
        Assert.Equal("boom", faulted.GetProperty("error").GetString());
    }

    [Fact]
    public void Memory_HasThePublicFields_PlusGcCountsAndFlags()
    {
        var sample = new MemorySample(Time, 1000, 250, 75, 64, 32, 5, 2, 1, true, true) { UsedHistory = [1], WorkingSetHistory = [2] };

        var json = Parse(MetricsTopics.Memory.SerializeJson(sample));

        Assert.Equal(
            ["timestamp", "totalBytes", "availableBytes", "usedPercent", "processWorkingSetBytes", "gcHeapBytes",
             "gen0Collections", "gen1Collections", "gen2Collections", "systemAvailable", "containerLimited", "host"],
            Names(json));
        Assert.Equal(1000, json.GetProperty("totalBytes").GetInt64());
        Assert.Equal(250, json.GetProperty("availableBytes").GetInt64());
        Assert.Equal(75, json.GetProperty("usedPercent").GetDouble());
        Assert.True(json.GetProperty("containerLimited").GetBoolean());
    }
}
