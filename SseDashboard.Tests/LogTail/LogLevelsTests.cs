using SseDashboard.LogTail;

namespace SseDashboard.Tests.LogTail;

public sealed class LogLevelsTests
{
    [Theory]
    [InlineData("[10:00:00 VRB] Source: detail", "trace")]
    [InlineData("[10:00:00 DBG] Source: detail", "debug")]
    [InlineData("[10:00:00 INF] Source: started", "info")]
    [InlineData("[10:00:00 WRN] Source: slow", "warn")]
    [InlineData("[10:00:00 ERR] Source: failed", "error")]
    [InlineData("[10:00:00 FTL] Source: died", "fatal")]
    [InlineData("2026-01-01 10:00:00.123 +00:00 [ERR] Source: the file template", "error")]
    [InlineData("[10:00:00 inf] lower case tag", "info")]
    [InlineData("[10:00:00 INF] message mentions ERROR but the tag wins", "info")]
    [InlineData("time=2026-01-01 level=warn msg=\"disk\"", "warn")]
    [InlineData("level=ERROR msg=x", "error")]
    [InlineData("ts=1 level=\"debug\" msg=x", "debug")]
    [InlineData("{\"time\":\"t\",\"level\":\"Warning\",\"msg\":\"x\"}", "warn")]
    [InlineData("{\"@t\":\"2026-01-01\",\"@l\":\"Fatal\",\"@mt\":\"x\"}", "fatal")]
    [InlineData("{\"level\": \"info\"}", "info")]
    [InlineData("TRACE entering", "trace")]
    [InlineData("debug: cache miss", "debug")]
    [InlineData("INFO Server started", "info")]
    [InlineData("Warn: low disk", "warn")]
    [InlineData("WARNING: low disk", "warn")]
    [InlineData("java.lang.Exception ERROR in thread", "error")]
    [InlineData("fatal: not a git repository", "fatal")]
    [InlineData("CRITICAL overheating", "fatal")]
    [InlineData("level=chatty INFO fallback to the word", "info")]
    [InlineData("just a line", null)]
    [InlineData("errors and informational and warnings are not level words", null)]
    [InlineData("", null)]
    public void Detect_ReturnsTheLineLevel_OrNoneWhenUnknown(string line, string? expected) =>
        Assert.Equal(expected, LogLevels.Detect(line));
}
