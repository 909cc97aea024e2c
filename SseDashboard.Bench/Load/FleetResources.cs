using Npgsql;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Bench.Load;

/// <summary>
/// CPU and memory over the fleet scenario's window: each dashboard node, PostgreSQL's processes and its commits, this
/// process (clients and agents) and the rest of the machine.
/// </summary>
internal sealed class FleetResources
{
    private readonly IReadOnlyList<int> _nodePids;
    private readonly PostgresProcesses? _postgres;
    private readonly string _connectionString;
    private ProcSample?[] _nodes0 = [];
    private ProcSample?[] _nodes1 = [];
    private (long Ticks, int Processes, DateTime At)? _postgres0;
    private (long Ticks, int Processes, DateTime At)? _postgres1;
    private long? _commits0;
    private long? _commits1;
    private ProcSample? _client0;
    private ProcSample? _client1;
    private long? _machine0;
    private long? _machine1;

    private FleetResources(IReadOnlyList<int> nodePids, PostgresProcesses? postgres, string connectionString) =>
        (_nodePids, _postgres, _connectionString) = (nodePids, postgres, connectionString);

    public static async Task<FleetResources> BeginAsync(IReadOnlyList<int> nodePids, PostgresProcesses? postgres, string connectionString)
    {
        var window = new FleetResources(nodePids, postgres, connectionString);
        window._commits0 = await window.CommitsAsync();
        (window._nodes0, window._postgres0, window._client0, window._machine0) = window.Sample();
        return window;
    }

    public async Task EndAsync()
    {
        (_nodes1, _postgres1, _client1, _machine1) = Sample();
        _commits1 = await CommitsAsync();
    }

    /// <summary>
    /// Per node and PostgreSQL into <paramref name="fleet"/>; the nodes together as the result's server (CPU per
    /// delivered event and RSS per held connection: after the events are counted).
    /// </summary>
    public void Fill(LoadResult result, FleetFigures fleet, IReadOnlyList<ProcSample?> idle)
    {
        double nodesCpu = 0, nodesCpuSeconds = 0, nodesKernelSeconds = 0;
        for (var i = 0; i < _nodePids.Count; i++)
        {
            var node = fleet.Nodes[i];
            node.RssIdleMb = idle[i]?.RssKb / 1024.0;
            if (_nodes0[i] is { } n0 && _nodes1[i] is { } n1)
            {
                node.CpuPercent = n1.CpuPercentSince(n0);
                node.RssMb = n1.RssKb / 1024.0;
                nodesCpu += node.CpuPercent.Value;
                nodesCpuSeconds += n1.CpuSecondsSince(n0);
                nodesKernelSeconds += (n1.KernelTicks - n0.KernelTicks) / ProcSample.TicksPerSecond;
            }
        }

        result.ServerCpuPercent = nodesCpu;
        result.ServerCpuKernelSharePercent = nodesCpuSeconds > 0 ? 100 * nodesKernelSeconds / nodesCpuSeconds : 0;
        result.ServerCpuMicrosPerEvent = result.EventsDelivered > 0 ? nodesCpuSeconds * 1e6 / result.EventsDelivered : null;
        result.ServerRssMb = fleet.Nodes.Sum(n => n.RssMb ?? 0);
        result.ServerRssIdleMb = fleet.Nodes.Sum(n => n.RssIdleMb ?? 0);
        if (result.ConnectionsHeld > 0 && fleet.Nodes.All(n => n.RssIdleMb is not null))
        {
            result.ServerRssKbPerConnection = (result.ServerRssMb - result.ServerRssIdleMb) * 1024 / result.ConnectionsHeld;
        }

        if (_postgres0 is { } p0 && _postgres1 is { } p1)
        {
            fleet.PostgresCpuPercent = 100 * (p1.Ticks - p0.Ticks) / ProcSample.TicksPerSecond / (p1.At - p0.At).TotalSeconds;
            fleet.PostgresProcesses = p1.Processes;
            if (_commits0 is { } c0 && _commits1 is { } c1)
            {
                fleet.PostgresCommitsPerSecond = (c1 - c0) / (p1.At - p0.At).TotalSeconds;
            }
        }

        if (_client0 is { } k0 && _client1 is { } k1)
        {
            result.ClientCpuPercent = k1.CpuPercentSince(k0);
            if (_machine0 is { } m0 && _machine1 is { } m1)
            {
                var machinePercent = 100 * (m1 - m0) / ProcSample.TicksPerSecond / (k1.At - k0.At).TotalSeconds;
                result.OtherCpuPercent = Math.Max(0, machinePercent - result.ClientCpuPercent - nodesCpu - (fleet.PostgresCpuPercent ?? 0));
            }
        }
    }

    private (ProcSample?[], (long, int, DateTime)?, ProcSample?, long?) Sample()
    {
        var postgres = _postgres?.Read() is { } p ? (p.Ticks, p.Processes, DateTime.UtcNow) : ((long, int, DateTime)?)null;
        return (_nodePids.Select(ProcSample.Read).ToArray(), postgres, ProcSample.Read(Environment.ProcessId), ProcFs.MachineBusyTicks());
    }

    // Committed transactions of the whole database so far (the statistics lag a second at most).
    private async Task<long?> CommitsAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
            return (long?)await command.ExecuteScalarAsync();
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }
}
