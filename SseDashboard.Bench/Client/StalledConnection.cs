using System.Net;
using System.Net.Sockets;

namespace SseDashboard.Bench.Client;

/// <summary>
/// A client that sends its request and never reads, with a small receive buffer: a laptop gone to sleep. The
/// server's writes to it stop making progress once that buffer and the server's send buffer are full.
/// </summary>
internal sealed class StalledConnection : IDisposable
{
    private readonly Socket _socket;

    private StalledConnection(Socket socket, DateTime stoppedReadingAt)
    {
        _socket = socket;
        StoppedReadingAt = stoppedReadingAt;
        LocalPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>The client's port: the server's socket for it is the one whose remote port this is.</summary>
    public int LocalPort { get; }

    /// <summary>When it sent the request, so stopped reading (it never started).</summary>
    public DateTime StoppedReadingAt { get; }

    public static async Task<StalledConnection> OpenAsync(SseTarget target, int receiveBufferBytes, CancellationToken cancellationToken)
    {
        // Set before connecting, so the window it advertises stays that small.
        var socket = new Socket(target.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = receiveBufferBytes };
        try
        {
            await socket.ConnectAsync(target.EndPoint, cancellationToken);
            await socket.SendAsync(target.Request, SocketFlags.None, cancellationToken);
            return new StalledConnection(socket, DateTime.UtcNow);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads at last, what the kernel holds and whatever still comes: true when that ends in end-of-stream or a reset
    /// (the server closed it), false when the stream is still flowing after <paramref name="timeout"/>.
    /// </summary>
    public async Task<bool> ServerClosedAsync(TimeSpan timeout)
    {
        var buffer = new byte[64 * 1024];
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await _socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Closes with a reset, so no orphaned socket holds the server's unsent bytes after the run.</summary>
    public void Dispose()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }
}
