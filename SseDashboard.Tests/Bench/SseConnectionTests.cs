using System.Text;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Tests.Bench;

public sealed class SseConnectionTests
{
    [Fact]
    public void LogMarkers_InHtmlAndJson_CountEachLineOnceAndFindTheMissingOnes()
    {
        var run = new RunState();
        ISseHandler connection = new SseConnection(run);
        var received = DateTime.UnixEpoch.AddSeconds(10).Ticks;

        connection.OnData(Encoding.UTF8.GetBytes("""{"lines":[{"text":"[10:00:00 INF] benchline 0 9000000"},{"text":"benchline 1 9500000"}]}"""), received);
        connection.OnData(Encoding.UTF8.GetBytes("""<li class="level-info">benchline 3 9900000</li><li>benchline 1 9500000</li>"""), received);

        var client = (SseConnection)connection;
        Assert.Equal(4, client.LogLines);
        Assert.Equal(3, client.LogLinesUnique);
        Assert.Equal(3, client.LogLinesReceivedOf(4)); // line 2 never arrived
        Assert.Equal(3, run.LogLag.Count);
        Assert.Equal(1000.0, run.LogLag.MaxMilliseconds);
    }

    [Fact]
    public void Events_IdsGoingBackwards_AreCountedAndOnlyWindowEventsTimed()
    {
        var run = new RunState { WindowStart = 100, WindowEnd = 200 };
        ISseHandler connection = new SseConnection(run);
        var clock = connection.TopicIndex("clock"u8);

        connection.OnEvent(clock, 5, publishedTicks: 50, receivedTicks: 60);
        connection.OnEvent(clock, 6, publishedTicks: 150, receivedTicks: 160);
        connection.OnEvent(clock, 4, publishedTicks: 170, receivedTicks: 180);

        var client = (SseConnection)connection;
        Assert.Equal(3, client.Events);
        Assert.Equal(2, client.EventsInWindow);
        Assert.Equal(1, client.IdsBackwards);
        Assert.Equal(2, run.Latency.Count);
    }

    [Fact]
    public void TimedTopic_OnlyItsEventsAreTimed_AndTheFirstEventIsNoted()
    {
        var run = new RunState { WindowStart = 100, WindowEnd = 200, TimedTopic = "clock" };
        ISseHandler connection = new SseConnection(run);
        var log = connection.TopicIndex("log"u8);
        var clock = connection.TopicIndex("clock"u8);

        connection.OnEvent(log, 1, publishedTicks: 150, receivedTicks: 900_150);
        connection.OnEvent(clock, 2, publishedTicks: 160, receivedTicks: 10_160);

        var client = (SseConnection)connection;
        Assert.True(client.FirstEvent.Task.IsCompletedSuccessfully);
        Assert.Equal(2, client.EventsInWindow);
        Assert.Equal(1, run.Latency.Count);
        Assert.Equal(1.0, run.Latency.MaxMilliseconds, 3);
    }
}
