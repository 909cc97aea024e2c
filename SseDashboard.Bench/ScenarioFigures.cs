namespace SseDashboard.Bench;

/// <summary>One wave of the storm: N clients connecting at once.</summary>
internal sealed class StormFigures
{
    public int Wave { get; set; }

    /// <summary>First connect attempt to the last connection's first event; null when not all N got there.</summary>
    public double? AbsorbSeconds { get; set; }

    /// <summary>How long the wave took, absorbed or not (to the last first event, or until giving up).</summary>
    public double WaveSeconds { get; set; }

    public int FirstEvents { get; set; }

    /// <summary>The window after absorption over which the clock's latency is measured.</summary>
    public double LatencyWindowSeconds { get; set; }
}

/// <summary>What 1 % of clients that never read cost the server, and when it let them go.</summary>
internal sealed class StalledFigures
{
    public int Stalled { get; set; }

    public int StalledConnected { get; set; }

    /// <summary><c>Dashboard:Sse:StallTimeout</c> as given with --server-env (the server's default otherwise).</summary>
    public double StallTimeoutSeconds { get; set; }

    /// <summary>Per stalled connection: seconds from its request (it never read) to its server socket leaving ESTABLISHED.</summary>
    public List<double?> DropSeconds { get; set; } = [];

    public int Dropped { get; set; }

    public double? DropSecondsMin { get; set; }

    public double? DropSecondsMedian { get; set; }

    public double? DropSecondsMax { get; set; }

    /// <summary>From each stalled socket's send queue filling up (its writes stopping) to its drop: the largest.</summary>
    public double? DropAfterFullSecondsMax { get; set; }

    /// <summary>Stalled sockets that read end-of-stream or a reset at the end: closed by the server, seen from the client.</summary>
    public int ClosedSeenByClient { get; set; }

    /// <summary>The server socket's tx_queue (/proc/net/tcp), the largest seen per stalled socket: max and median of those.</summary>
    public long? TxQueueMaxBytes { get; set; }

    public long? TxQueueMedianBytes { get; set; }

    public double? ServerRssStartMb { get; set; }

    public double? ServerRssPeakMb { get; set; }

    public double? ServerRssEndMb { get; set; }

    /// <summary>Peak minus start: what the run cost the server's memory at most.</summary>
    public double? ServerRssDeltaMb { get; set; }

    /// <summary>
    /// Per stalled connection: the run's RSS growth beyond the same healthy clients' alone (watched as long), so what
    /// the healthy streams grow by themselves (the log's replay ring filling up, the heap) is not counted.
    /// </summary>
    public double? ServerRssKbPerStalled { get; set; }

    /// <summary>The healthy clients' clock p99 with the stalled ones over without them, in this run's pair.</summary>
    public double? HealthyP99Ratio { get; set; }

    /// <summary>The median of <see cref="HealthyP99Ratio"/> over the interleaved pairs (<c>--pairs</c>).</summary>
    public double? HealthyP99RatioMedian { get; set; }
}

/// <summary>A burst of log lines far over the server's rate limit, as one json probe connection saw it.</summary>
internal sealed class FloodFigures
{
    public long LinesWritten { get; set; }

    public double WriteSeconds { get; set; }

    /// <summary>Distinct lines the probe received.</summary>
    public long LinesDelivered { get; set; }

    public long SkippedMarkers { get; set; }

    /// <summary>What the server's <c>skipped</c> markers add up to.</summary>
    public long LinesSkipped { get; set; }

    /// <summary>Written − delivered − skipped: lines neither delivered nor owned up to.</summary>
    public long Unaccounted { get; set; }

    public bool ProbeHeld { get; set; }
}

/// <summary>Simulated agents writing to PostgreSQL, dashboard nodes reading it, clients on the nodes: what each part did.</summary>
internal sealed class FleetFigures
{
    public int Agents { get; set; }

    public int LinesPerSecondPerAgent { get; set; }

    public double FlushMs { get; set; }

    /// <summary>Lines the agents published in the window: what every client should have received.</summary>
    public long LinesWritten { get; set; }

    public long LogEvents { get; set; }

    public long MetricSamples { get; set; }

    /// <summary>What the agents' writers could not store (their queue full or the store failing at shutdown).</summary>
    public long AgentEventsDropped { get; set; }

    public int AgentsFailing { get; set; }

    public List<FleetNode> Nodes { get; set; } = [];

    /// <summary>Held connections missing at least one line of the window.</summary>
    public int ClientsMissingLines { get; set; }

    /// <summary>From the window's end (agents stopped) until every client had every line, or the drain gave up.</summary>
    public double DrainSeconds { get; set; }

    /// <summary>Agent-write → stored: the newest line of the run in the store, polled every 250 ms in the window.</summary>
    public double? StoreLagMsP50 { get; set; }

    public double? StoreLagMsP99 { get; set; }

    public double? StoreLagMsMax { get; set; }

    public int? PostgresPid { get; set; }

    /// <summary>The postmaster and its children (reaped ones too), % of one core over the window.</summary>
    public double? PostgresCpuPercent { get; set; }

    public int PostgresProcesses { get; set; }

    /// <summary>Transactions committed in the database per second (pg_stat_database: agents' writes, nodes' reads).</summary>
    public double? PostgresCommitsPerSecond { get; set; }
}

/// <summary>One dashboard node of the fleet scenario.</summary>
internal sealed class FleetNode
{
    public string Name { get; set; } = "";

    public string Url { get; set; } = "";

    public int Clients { get; set; }

    public int Held { get; set; }

    public double? CpuPercent { get; set; }

    public double? RssIdleMb { get; set; }

    public double? RssMb { get; set; }
}
