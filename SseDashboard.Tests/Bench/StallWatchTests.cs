using System.Net;
using System.Net.Sockets;
using System.Text;
using SseDashboard.Bench.Client;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Tests.Bench;

public sealed class StallWatchTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ServerGivesUpOnAClientThatNeverReads_WatchSeesItsQueueAndTheDrop(bool reset)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var target = await SseTarget.ResolveAsync($"http://127.0.0.1:{port}/sse");
        using var stalled = await StalledConnection.OpenAsync(target, 4096, TestContext.Current.CancellationToken);
        using var server = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);

        // The server writes until the kernel takes no more: the client reads nothing.
        server.Blocking = false;
        var chunk = Encoding.ASCII.GetBytes(new string('x', 16 * 1024));
        var sent = 0;
        while (server.Send(chunk, 0, chunk.Length, SocketFlags.None, out var error) is var n && error == SocketError.Success)
        {
            sent += n;
        }

        var watch = new StallWatch(port, pid: null, [stalled], every: TimeSpan.FromMilliseconds(20));
        Assert.False(watch.AllDropped);
        Assert.InRange(Assert.Single(watch.MaxTxQueues()), 1, sent);

        if (reset)
        {
            server.LingerState = new LingerOption(true, 0);
        }

        server.Close();
        await watch.WatchAsync(DateTime.UtcNow.AddSeconds(10), TestContext.Current.CancellationToken);

        Assert.True(watch.AllDropped);
        Assert.InRange(Assert.Single(watch.DropSeconds())!.Value, 0, 10);
        Assert.True(await stalled.ServerClosedAsync(TimeSpan.FromSeconds(10)));
    }
}
