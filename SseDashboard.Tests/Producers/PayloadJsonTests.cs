using System.Text.Json;
using SseDashboard.Producers;
using SseDashboard.Clock;
using SseDashboard.Metrics;
using SseDashboard.LogTail;

namespace SseDashboard.Tests.Producers;

/// <summary>The JSON of each topic is public API: property names exactly as the README documents them.</summary>
public sealed class PayloadJsonTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 21, 16, 35, 42, 426, TimeSpan.FromHours(2));

    [Fact]
    public void Clock_HasExactlyThePublicFields_AndAFaultAddsError()
    {
        var healthy = Parse(ClockTopics.Clock.SerializeJson(new ClockSample(Time, 12.5)));
        Assert.Equal(["timestamp", "uptimeSeconds"], Names(healthy));
        Assert.Equal("2026-11-21T14:35:42.426Z", healthy.GetProperty("timestamp").GetString());

        var faulted = Parse(ClockTopics.Clock.SerializeJson(new ClockSample(Time, 12.5, "The clock failed: boom")));
        Assert.Equal(["timestamp", "uptimeSeconds", "error"], Names(faulted));
        Assert.Equal("The clock failed: boom", faulted.GetProperty("error").GetString());
    }

    [Fact]
    public void LogText_IsKeptAsWritten_ButQuotesAndLineBreaksAreEscaped()
    {
        var batch = new LogBatch(Time, "/var/log/café.log", LogKinds.Lines, [new LogLine("café a+b <tag> & 'q' \"dq\" \\ x\r\ny\0", null)]);

        var json = System.Text.Encoding.UTF8.GetString(LogTailTopics.Log.SerializeJson(batch));

        Assert.Contains("""
            "file":"/var/log/café.log"
            """, json);
        Assert.Contains("""
            "text":"café a+b <tag> & 'q' \"dq\" \\ x\r\ny\u0000"
            """, json);
        Assert.Equal("café a+b <tag> & 'q' \"dq\" \\ x\r\ny\0", Parse(System.Text.Encoding.UTF8.GetBytes(json)).GetProperty("lines")[0].GetProperty("text").GetString());
    }

    [Fact]
    public void Cpu_HasThePublicFields_TimestampUtcWithMilliseconds_NoHistory()
    {
        var sample = new CpuSample(Time, 12.5, 3.2, 2, true, false) { SystemHistory = [1, 2], ProcessHistory = [3] };

        var json = Parse(MetricsTopics.Cpu.SerializeJson(sample));

        Assert.Equal(["timestamp", "systemPercent", "processPercent", "cores", "systemAvailable", "containerLimited"], Names(json));
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
             "gen0Collections", "gen1Collections", "gen2Collections", "systemAvailable", "containerLimited"],
            Names(json));
        Assert.Equal(1000, json.GetProperty("totalBytes").GetInt64());
        Assert.Equal(250, json.GetProperty("availableBytes").GetInt64());
        Assert.Equal(75, json.GetProperty("usedPercent").GetDouble());
        Assert.True(json.GetProperty("containerLimited").GetBoolean());
    }

    [Fact]
    public void Log_HasTimestampFileKindLines_EachLineTextAndLevel()
    {
        var batch = new LogBatch(Time, "/var/log/app.log", LogKinds.Lines, [new LogLine("hello", "info"), new LogLine("?", null)]);

        var json = Parse(LogTailTopics.Log.SerializeJson(batch));

        Assert.Equal(["timestamp", "file", "kind", "lines"], Names(json));
        Assert.Equal("lines", json.GetProperty("kind").GetString());
        Assert.Equal("/var/log/app.log", json.GetProperty("file").GetString());
        var lines = json.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(["text", "level"], Names(lines[0]));
        Assert.Equal("hello", lines[0].GetProperty("text").GetString());
        Assert.Equal("info", lines[0].GetProperty("level").GetString());
        Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("level").ValueKind);
    }

    [Fact]
    public void Log_CutLineIsMarked_AndMarkersHaveNoLines()
    {
        var cut = Parse(LogTailTopics.Log.SerializeJson(new LogBatch(Time, "f", LogKinds.Lines, [new LogLine("x", null, Cut: true)])));
        Assert.True(cut.GetProperty("lines")[0].GetProperty("cut").GetBoolean());

        var marker = Parse(LogTailTopics.Log.SerializeJson(new LogBatch(Time, "f", LogKinds.Rotated, [])));
        Assert.Equal("rotated", marker.GetProperty("kind").GetString());
        Assert.Equal(0, marker.GetProperty("lines").GetArrayLength());
    }

    [Fact]
    public void Log_ResetPayload_IsKindReset()
    {
        var reset = LogTailTopics.Log.CreateResetPayload(Time);

        var json = Parse(LogTailTopics.Log.SerializeJson(reset!));

        Assert.Equal("reset", json.GetProperty("kind").GetString());
        Assert.Equal(0, json.GetProperty("lines").GetArrayLength());
    }

    private static JsonElement Parse(byte[] utf8) => JsonDocument.Parse(utf8).RootElement;

    private static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();
}
