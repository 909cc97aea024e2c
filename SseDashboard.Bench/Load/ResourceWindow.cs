using SseDashboard.Bench.Measurement;

namespace SseDashboard.Bench.Load;

/// <summary>CPU and memory of the server, this client and the rest of the machine over one measurement window.</summary>
internal sealed class ResourceWindow
{
    private readonly int? _pid;
    private readonly ProcSample? _server0;
    private readonly ProcSample? _client0;
    private readonly long? _machine0;
    private ProcSample? _server1;
    private ProcSample? _client1;
    private long? _machine1;

    private ResourceWindow(int? pid)
    {
        _pid = pid;
        _server0 = pid is { } p ? ProcSample.Read(p) : null;
        _client0 = ProcSample.Read(Environment.ProcessId);
        _machine0 = ProcFs.MachineBusyTicks();
    }

    public static ResourceWindow Begin(int? pid) => new(pid);

    public void End()
    {
        _server1 = _pid is { } p ? ProcSample.Read(p) : null;
        _client1 = ProcSample.Read(Environment.ProcessId);
        _machine1 = ProcFs.MachineBusyTicks();
    }

    /// <summary>Fills the CPU and RSS figures (per delivered event and per held connection: after the events are counted).</summary>
    public void Fill(LoadResult result, ProcSample? idle)
    {
        if (_server0 is { } s0 && _server1 is { } s1)
        {
            var cpuSeconds = s1.CpuSecondsSince(s0);
            result.ServerCpuPercent = s1.CpuPercentSince(s0);
            result.ServerCpuKernelSharePercent = s1.KernelSharePercentSince(s0);
            result.ServerCpuMicrosPerEvent = result.EventsDelivered > 0 ? cpuSeconds * 1e6 / result.EventsDelivered : null;
            result.ServerRssMb = s1.RssKb / 1024.0;
            if (idle is { } i && result.ConnectionsHeld > 0)
            {
                result.ServerRssKbPerConnection = (double)(s1.RssKb - i.RssKb) / result.ConnectionsHeld;
            }
        }
        else
        {
            result.Notes.Add("server process unknown: no CPU or RSS figures (give --pid / --peer-pid)");
        }

        if (_client0 is { } c0 && _client1 is { } c1)
        {
            result.ClientCpuPercent = c1.CpuPercentSince(c0);
            if (_machine0 is { } m0 && _machine1 is { } m1)
            {
                var machinePercent = 100 * (m1 - m0) / ProcSample.TicksPerSecond / (c1.At - c0.At).TotalSeconds;
                result.OtherCpuPercent = Math.Max(0, machinePercent - result.ClientCpuPercent - (result.ServerCpuPercent ?? 0));
            }
        }
    }
}
