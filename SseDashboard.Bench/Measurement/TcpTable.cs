using System.Globalization;

namespace SseDashboard.Bench.Measurement;

/// <summary>One row of <c>/proc/net/tcp</c> or <c>/proc/net/tcp6</c>: ports, state, the kernel's queues, inode.</summary>
internal readonly record struct TcpSocket(int LocalPort, int RemotePort, int State, long TxQueue, long RxQueue, long Inode)
{
    public const int Established = 0x01;
    public const int Listen = 0x0A;
}

/// <summary>
/// The kernel's TCP socket tables. <c>tx_queue</c> is what a socket has written and its peer has not acknowledged
/// (sent or not yet sent): for a server socket whose client stopped reading, the bytes stuck in the kernel.
/// </summary>
internal static class TcpTable
{
    private static readonly string[] Files = ["/proc/net/tcp", "/proc/net/tcp6"];

    /// <summary>Every TCP socket of this network namespace, IPv4 and IPv6; empty where /proc is not there.</summary>
    public static List<TcpSocket> Read()
    {
        var sockets = new List<TcpSocket>();
        foreach (var file in Files)
        {
            try
            {
                sockets.AddRange(File.ReadLines(file).Select(l => TryParse(l, out var s) ? s : (TcpSocket?)null).OfType<TcpSocket>());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // No IPv6, or no /proc.
            }
        }

        return sockets;
    }

    /// <summary>
    /// One line, e.g. <c>3: 0100007F:13D9 0100007F:A1B2 01 0000F000:00000000 01:00000014 00000000 0 0 4242 ...</c>
    /// (local and remote ADDRESS:PORT, state, tx_queue:rx_queue, all hex; the inode decimal). False for the header.
    /// </summary>
    public static bool TryParse(string line, out TcpSocket socket)
    {
        socket = default;
        Span<Range> f = stackalloc Range[11];
        var s = line.AsSpan();
        if (s.Split(f, ' ', StringSplitOptions.RemoveEmptyEntries) < 10)
        {
            return false;
        }

        var queues = s[f[4]];
        var colon = queues.IndexOf(':');
        if (colon < 0
            || !TryPort(s[f[1]], out var local) || !TryPort(s[f[2]], out var remote)
            || !int.TryParse(s[f[3]], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var state)
            || !long.TryParse(queues[..colon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var tx)
            || !long.TryParse(queues[(colon + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var rx)
            || !long.TryParse(s[f[9]], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
        {
            return false;
        }

        socket = new TcpSocket(local, remote, state, tx, rx, inode);
        return true;
    }

    private static bool TryPort(ReadOnlySpan<char> address, out int port)
    {
        var colon = address.LastIndexOf(':');
        port = 0;
        return colon >= 0 && int.TryParse(address[(colon + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out port);
    }
}
