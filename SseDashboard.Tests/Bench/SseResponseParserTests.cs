using System.Text;
using SseDashboard.Bench.Client;

namespace SseDashboard.Tests.Bench;

public sealed class SseResponseParserTests
{
    private const string Headers = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

    [Fact]
    public void ChunkedHtmlStream_SplitAnywhere_YieldsEveryEventWithIdTopicAndPublishTime()
    {
        var body = Chunk("retry: 2000\n\n")
            + Chunk("event: clock\nid: 41\ndata: <div>\ndata: <time datetime=\"2026-11-21T16:35:42.426Z\">16:35</time></div>\n\n")
            + Chunk(":\n\n")
            + Chunk("event: clock\r\nid: 42\r\ndata: {\"timestamp\":\"2026-11-21T16:35:43.5Z\",\"uptimeSeconds\":3}\r\n\r\n")
            + "0\r\n\r\n";
        var bytes = Encoding.UTF8.GetBytes(Headers + body);

        // Every split point: lines, chunk headers and the response headers may all arrive in pieces.
        for (var split = 1; split < bytes.Length; split++)
        {
            var handler = new RecordingHandler();
            var parser = new SseResponseParser(handler);
            parser.Feed(bytes.AsSpan(0, split), receivedTicks: 1);
            parser.Feed(bytes.AsSpan(split), receivedTicks: 2);

            Assert.Equal(200, parser.StatusCode);
            Assert.True(parser.Ended);
            Assert.Equal(1, handler.Comments);
            Assert.Equal(
                [
                    ("clock", 41L, new DateTime(2026, 11, 21, 16, 35, 42, 426, DateTimeKind.Utc).Ticks),
                    ("clock", 42L, new DateTime(2026, 11, 21, 16, 35, 43, 500, DateTimeKind.Utc).Ticks),
                ],
                handler.Events);
        }
    }

    [Fact]
    public void IdentityBody_NonSuccessStatus_IsReportedAndNoEventsDispatched()
    {
        var handler = new RecordingHandler();
        var parser = new SseResponseParser(handler);

        parser.Feed(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\n\r\n{\"title\":\"x\"}"), 1);

        Assert.Equal(400, parser.StatusCode);
        Assert.Empty(handler.Events);
    }

    [Fact]
    public void DataLines_CarryLogMarkers_EachLineReachesTheHandler()
    {
        var handler = new RecordingHandler();
        var parser = new SseResponseParser(handler);

        parser.Feed(Encoding.UTF8.GetBytes(Headers + Chunk("event: log\nid: 7\ndata: {\"lines\":[{\"text\":\"benchline 0 1\"},{\"text\":\"benchline 1 2\"}]}\n\n")), 1);

        Assert.Equal(["{\"lines\":[{\"text\":\"benchline 0 1\"},{\"text\":\"benchline 1 2\"}]}"], handler.Data);
        Assert.Equal([("log", 7L, 0L)], handler.Events);
    }

    [Theory]
    [InlineData("2026-11-21T16:35:42Z", 0)]
    [InlineData("2026-11-21T16:35:42.426Z", 4_260_000)]
    [InlineData("2026-11-21T16:35:42.123456789Z", 1_234_567)]
    [InlineData("2026-11-21T16:35:42.5+00:00", 5_000_000)]
    public void IsoTimestamp_RfcAndMillisecondForms_ParseToUtcTicks(string text, long fractionTicks)
    {
        Assert.True(IsoTimestamp.TryParseUtcTicks(Encoding.ASCII.GetBytes(text), out var ticks));
        Assert.Equal(new DateTime(2026, 11, 21, 16, 35, 42, DateTimeKind.Utc).Ticks + fractionTicks, ticks);
    }

    [Theory]
    [InlineData("2026-11-21 16:35:42Z")]
    [InlineData("2026-13-21T16:35:42Z")]
    [InlineData("2026-11-21T16:35:42.Z")]
    [InlineData("2026-11-21T16:35:42+02:00")]
    [InlineData("not a time")]
    public void IsoTimestamp_Malformed_IsRejected(string text) =>
        Assert.False(IsoTimestamp.TryParseUtcTicks(Encoding.ASCII.GetBytes(text), out _));

    private static string Chunk(string data) => $"{Encoding.UTF8.GetByteCount(data):x}\r\n{data}\r\n";

    private sealed class RecordingHandler : ISseHandler
    {
        private readonly List<string> _topics = [];

        public List<(string Topic, long Id, long Published)> Events { get; } = [];

        public List<string> Data { get; } = [];

        public int Comments { get; private set; }

        public int TopicIndex(ReadOnlySpan<byte> eventName)
        {
            var name = Encoding.UTF8.GetString(eventName);
            if (!_topics.Contains(name))
            {
                _topics.Add(name);
            }

            return _topics.IndexOf(name);
        }

        public void OnEvent(int topic, long id, long publishedTicks, long receivedTicks) =>
            Events.Add((topic < 0 ? "" : _topics[topic], id, publishedTicks));

        public void OnData(ReadOnlySpan<byte> value, long receivedTicks) => Data.Add(Encoding.UTF8.GetString(value));

        public void OnComment() => Comments++;
    }
}
