using System.Net.ServerSentEvents;
using System.Text;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Streaming;

public sealed class SseFramingTests
{
    private static async Task<List<SseItem<string>>> ParseAsync(params byte[][] frames)
    {
        var stream = new MemoryStream(frames.SelectMany(f => f).ToArray());
        var items = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(TestContext.Current.CancellationToken))
        {
            items.Add(item);
        }

        return items;
    }

    [Theory]
    [InlineData("one line", "one line")]
    [InlineData("a\nb\nc", "a\nb\nc")]
    [InlineData("a\r\nb", "a\nb")]
    [InlineData("a\rb", "a\nb")]
    [InlineData("\r", "\n")]
    [InlineData("\r\r\r", "\n\n\n")]
    [InlineData("ends with CR\r", "ends with CR\n")]
    [InlineData("\n\nblank lines\n\n", "\n\nblank lines\n\n")]
    [InlineData("data: id: 9\nevent: evil\n\nretry: 1", "data: id: 9\nevent: evil\n\nretry: 1")]
    public async Task Encode_AnyLineBreaksInData_StayInsideOneEvent(string payload, string expectedData)
    {
        var frame = await SseFraming.EncodeAsync("log", 42, payload);
        var next = await SseFraming.EncodeAsync("clock", 43, "after");

        var items = await ParseAsync(frame, next);

        Assert.Equal(2, items.Count);
        Assert.Equal("log", items[0].EventType);
        Assert.Equal("42", items[0].EventId);
        Assert.Equal(expectedData, items[0].Data);
        Assert.Equal(("clock", "43", "after"), (items[1].EventType, items[1].EventId, items[1].Data));
    }

    [Fact]
    public async Task Encode_MultiLineData_IsSeveralDataLines()
    {
        var frame = Encoding.UTF8.GetString(await SseFraming.EncodeAsync("log", 7, "first\rsecond\r\nthird\nfourth"));

        var lines = frame.Split('\n');
        Assert.Equal(["data: first", "data: second", "data: third", "data: fourth"], lines.Where(l => l.StartsWith("data:")));
        Assert.DoesNotContain('\r', frame);
        Assert.EndsWith("\n\n", frame);
    }

    [Fact]
    public async Task Encode_NulInData_IsCarriedAndEndsNothing()
    {
        var items = await ParseAsync(await SseFraming.EncodeAsync("log", 1, "a\0b\0"), await SseFraming.EncodeAsync("log", 2, "c"));

        Assert.Equal(["a\0b\0", "c"], items.Select(i => i.Data));
    }

    [Fact]
    public void RetryFrame_IsTheRetryFieldAlone()
    {
        Assert.Equal("retry: 2500\n\n", Encoding.ASCII.GetString(SseFraming.RetryFrame(TimeSpan.FromMilliseconds(2500))));
    }
}
