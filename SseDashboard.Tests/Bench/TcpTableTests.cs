using SseDashboard.Bench.Measurement;

namespace SseDashboard.Tests.Bench;

public sealed class TcpTableTests
{
    [Fact]
    public void Ipv4Row_EstablishedServerSocket_GivesPortsStateQueuesAndInode()
    {
        const string line = "  17: 0100007F:13D9 0100007F:A1B2 01 0003E800:00000010 01:00000014 00000000  1000        0 48213 2 0000000000000000 20 4 30 10 -1";

        Assert.True(TcpTable.TryParse(line, out var socket));

        Assert.Equal(new TcpSocket(LocalPort: 5081, RemotePort: 0xA1B2, TcpSocket.Established, TxQueue: 256_000, RxQueue: 16, Inode: 48213), socket);
    }

    [Fact]
    public void Ipv6Row_ListeningSocket_PortIsAfterTheLastColon()
    {
        const string line = "   0: 00000000000000000000000001000000:13D9 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5150 1 0000000000000000 100 0 0 10 0";

        Assert.True(TcpTable.TryParse(line, out var socket));

        Assert.Equal((5081, 0, TcpSocket.Listen, 0L, 5150L), (socket.LocalPort, socket.RemotePort, socket.State, socket.TxQueue, socket.Inode));
    }

    [Theory]
    [InlineData("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode")]
    [InlineData("")]
    [InlineData("   0: 0100007F:13D9 0100007F:A1B2 01 0003E800 01:00000014 00000000 0 0 48213")]
    public void HeaderOrMalformedRow_IsNotASocket(string line) => Assert.False(TcpTable.TryParse(line, out _));

    [Fact]
    public void ThisMachine_HasATableToRead()
    {
        var sockets = TcpTable.Read();

        Assert.All(sockets, s => Assert.InRange(s.LocalPort, 0, 65535));
    }
}
