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

