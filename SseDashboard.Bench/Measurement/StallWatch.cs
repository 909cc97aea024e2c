using SseDashboard.Bench.Client;

namespace SseDashboard.Bench.Measurement;

/// <summary>
/// Watches the server's sockets of stalled clients through <c>/proc/net/tcp</c> once a second: the largest send
/// queue each one reaches, and when it leaves ESTABLISHED (the server dropped it); the server's RSS along the way.
/// </summary>
internal sealed class StallWatch
{
    private readonly TimeSpan _every;
    private readonly int _serverPort;
    private readonly int? _pid;
    private readonly StalledConnection[] _stalled;
    private readonly long[] _maxTx;
    private readonly bool[] _seen;
    private readonly DateTime?[] _droppedAt;
    private readonly DateTime?[] _fullAt;

    public StallWatch(int serverPort, int? pid, IReadOnlyList<StalledConnection> stalled, TimeSpan? every = null)
    {
        _every = every ?? TimeSpan.FromSeconds(1);
        _serverPort = serverPort;
        _pid = pid;
        _stalled = [.. stalled];
        _maxTx = new long[_stalled.Length];
        _seen = new bool[_stalled.Length];
        _droppedAt = new DateTime?[_stalled.Length];
        _fullAt = new DateTime?[_stalled.Length];
        RssStartKb = pid is { } p ? ProcSample.Read(p)?.RssKb : null;
        RssPeakKb = RssStartKb;
        Poll();
    }

    public long? RssStartKb { get; }

    public long? RssPeakKb { get; private set; }

    public long? RssEndKb { get; private set; }

    // With none to watch (a run of healthy clients alone, for comparison) it watches memory until the time given.
    public bool AllDropped => _droppedAt.Length > 0 && _droppedAt.All(d => d is not null);

    /// <summary>Polls until <paramref name="until"/> or until every stalled socket is dropped, whichever is first.</summary>
    public async Task WatchAsync(DateTime until, CancellationToken cancellationToken = default)
    {
        while (!AllDropped && DateTime.UtcNow < until && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_every, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            Poll();
        }

        RssEndKb = _pid is { } p ? ProcSample.Read(p)?.RssKb : null;
    }

    /// <summary>Seconds from each stalled client's request to its server socket leaving ESTABLISHED (null: not dropped).</summary>
    public List<double?> DropSeconds() =>
        _stalled.Select((s, i) => _droppedAt[i] is { } at ? (at - s.StoppedReadingAt).TotalSeconds : (double?)null).ToList();

    /// <summary>
    /// Seconds from each stalled socket's send queue reaching its largest (the kernel's buffer full: from about then its
    /// writes stop moving, and the stall timeout runs) to the server dropping it (null: not dropped).
    /// </summary>
    public List<double?> DropAfterFullSeconds() =>
        _stalled.Select((_, i) => _droppedAt[i] is { } at && _fullAt[i] is { } full ? (at - full).TotalSeconds : (double?)null).ToList();

    /// <summary>The largest tx_queue seen per stalled socket (only those seen on the server at all).</summary>
    public long[] MaxTxQueues() => _maxTx.Where((_, i) => _seen[i]).ToArray();

    private void Poll()
    {
        var now = DateTime.UtcNow;
        var established = new Dictionary<int, TcpSocket>();
        foreach (var s in TcpTable.Read())
        {
            if (s.LocalPort == _serverPort && s.State == TcpSocket.Established)
            {
                established[s.RemotePort] = s;
            }
        }

        for (var i = 0; i < _stalled.Length; i++)
        {
            if (_droppedAt[i] is not null)
            {
                continue;
            }

            if (established.TryGetValue(_stalled[i].LocalPort, out var socket))
            {
                _seen[i] = true;
                if (socket.TxQueue > _maxTx[i])
                {
                    (_maxTx[i], _fullAt[i]) = (socket.TxQueue, now);
                }
            }
            else if (_seen[i])
            {
                _droppedAt[i] = now;
            }
        }

        if (_pid is { } p && ProcSample.Read(p)?.RssKb is { } rss)
        {
            RssPeakKb = Math.Max(RssPeakKb ?? 0, rss);
        }
    }
}
