using System.Text.Json;
using SseDashboard.LogTail;
using static SseDashboard.Tests.Infrastructure.PayloadJson;

namespace SseDashboard.Tests.LogTail;

/// <summary>The log topic's JSON is public API: property names exactly as the README documents them.</summary>
public sealed class LogJsonTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 21, 16, 35, 42, 426, TimeSpan.FromHours(2));

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
    public void Log_HasTimestampFileKindLines_EachLineTextAndLevel()
    {
        var batch = new LogBatch(Time, "/var/log/app.log", LogKinds.Lines, [new LogLine("hello", "info"), new LogLine("?", null)]);

        var json = Parse(LogTailTopics.Log.SerializeJson(batch));

        Assert.Equal(["timestamp", "file", "kind", "lines", "host"], Names(json));
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
    public void Log_RedactedLineIsMarked_OthersCarryNoRedactedField()
    {
        var json = Parse(LogTailTopics.Log.SerializeJson(new LogBatch(Time, "f", LogKinds.Lines,
            [new LogLine("password=***", null, Redacted: true), new LogLine("plain", null)])));

        var lines = json.GetProperty("lines");
        Assert.Equal(["text", "level", "redacted"], Names(lines[0]));
        Assert.True(lines[0].GetProperty("redacted").GetBoolean());
        Assert.False(lines[1].TryGetProperty("redacted", out _));
    }

    [Fact]
    public void Log_ResetPayload_IsKindReset()
    {
        var reset = LogTailTopics.Log.CreateResetPayload(Time);

        var json = Parse(LogTailTopics.Log.SerializeJson(reset!));

        Assert.Equal("reset", json.GetProperty("kind").GetString());
        Assert.Equal(0, json.GetProperty("lines").GetArrayLength());
    }

    [Fact]
    public void Log_SkippedMarker_CarriesTheCount_AndOnlyItDoes()
    {
        var skipped = Parse(LogTailTopics.Log.SerializeJson(new LogBatch(Time, "/var/log/app.log", LogKinds.Skipped, []) { Skipped = 1234 }));
        var lines = Parse(LogTailTopics.Log.SerializeJson(new LogBatch(Time, "/var/log/app.log", LogKinds.Lines, [new LogLine("x", null)])));

        Assert.Equal(["timestamp", "file", "kind", "lines", "host", "skipped"], Names(skipped));
        Assert.Equal("skipped", skipped.GetProperty("kind").GetString());
        Assert.Equal(1234, skipped.GetProperty("skipped").GetInt64());
        Assert.Equal("/var/log/app.log", skipped.GetProperty("file").GetString());
        Assert.False(lines.TryGetProperty("skipped", out _));
    }
}
