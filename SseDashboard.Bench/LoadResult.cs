namespace SseDashboard.Bench;

/// <summary>What one server did under one scenario with N clients; the JSON output is a list of these.</summary>
internal sealed class LoadResult
{
    public required string Scenario { get; set; }

    public required string Server { get; init; }

    public required string Url { get; init; }

    public required int Clients { get; init; }

    /// <summary>Which of the fan-out scenarios' interleaved rounds (<c>--pairs</c>); null with one.</summary>
    public int? Round { get; set; }

    public int ConnectionsHeld { get; set; }

    public int Errors { get; set; }

    public Dictionary<string, int> ErrorKinds { get; set; } = [];

    public double RampSeconds { get; set; }

    public double ConnectMsP50 { get; set; }

    public double ConnectMsP99 { get; set; }

    public double ConnectMsMax { get; set; }

    public double WindowSeconds { get; set; }

    public long EventsDelivered { get; set; }

    public long EventsExpected { get; set; }

    public long EventsLost { get; set; }

    /// <summary>"shared ids" (one id per published event) or "per-connection ids" (a timer per connection).</summary>
    public string LossCountedBy { get; set; } = "";

    public long IdsBackwards { get; set; }

    public double LatencyMsMin { get; set; }

    public double LatencyMsP50 { get; set; }

    public double LatencyMsP99 { get; set; }

    public double LatencyMsMax { get; set; }

    public int? ServerPid { get; set; }

    public double? ServerCpuPercent { get; set; }

    public double? ServerCpuMicrosPerEvent { get; set; }

    /// <summary>How much of the server's CPU time was the kernel's (stime): socket writes and wake-ups.</summary>
    public double? ServerCpuKernelSharePercent { get; set; }

    public double? ServerRssIdleMb { get; set; }

    public double? ServerRssMb { get; set; }

    public double? ServerRssKbPerConnection { get; set; }

    public double ClientCpuPercent { get; set; }

    /// <summary>CPU the rest of the machine used in the window (% of one core): neither server nor this client.</summary>
    public double? OtherCpuPercent { get; set; }

    public double CommentsPerConnection { get; set; }

    public long? LogLinesWritten { get; set; }

    public double? LogLinesPerSecondPerClientAvg { get; set; }

    public double? LogLinesPerSecondPerClientMin { get; set; }

    public long? LogLinesLost { get; set; }

    public long? LogLinesDuplicated { get; set; }

    public double? LogLagMsP50 { get; set; }

    public double? LogLagMsP99 { get; set; }

    public double? LogLagMsMax { get; set; }

    public StormFigures? Storm { get; set; }

    public StalledFigures? Stalled { get; set; }

    public FloodFigures? Flood { get; set; }

    public Scenarios.HistoryFigures? History { get; set; }

    public FleetFigures? Fleet { get; set; }

    public List<string> Notes { get; set; } = [];

    /// <summary>A scenario that could not run against this server: the note says why (printed instead of a table).</summary>
    public static LoadResult NotAvailable(string scenario, int clients, string note)
    {
        Console.WriteLine($"-- {scenario}: {note}");
        return new LoadResult { Scenario = scenario, Server = "dashboard", Url = "", Clients = clients, Notes = [note] };
    }

    /// <summary>The same measurement filed under another scenario (a peer's run serves fanout and fanout-clock alike).</summary>
    public LoadResult CopyAs(string scenario, string note)
    {
        var copy = (LoadResult)MemberwiseClone();
        copy.Scenario = scenario;
        copy.Notes = [.. Notes, note];
        return copy;
    }
}
