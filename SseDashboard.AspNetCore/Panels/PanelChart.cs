namespace SseDashboard.Panels;

/// <summary>How a chart's values read: a percentage, a byte count, or a plain number (a rate, a count).</summary>
public enum ChartUnit
{
    Percent,
    Bytes,
    Number,
}

/// <summary>One numeric field of a state topic's payload (named as in its JSON), drawn as one chart.</summary>
public sealed record ChartSeries(string Field, string Label, ChartUnit Unit);

/// <summary>
/// A state panel's history charts: which of its payload's numeric fields to draw, and how often samples come (a longer
/// wait between two points is drawn as a gap).
/// </summary>
public sealed record PanelChart(string Topic, IReadOnlyList<ChartSeries> Series, TimeSpan SampleInterval);

/// <summary>A choice of the range picker: <c>live</c> (the panel as pushed), or stored history over a span up to now.</summary>
public sealed record ChartRange(string Name, string Label, TimeSpan Span)
{
    /// <summary>The live panel: its sparklines hold the last 120 samples (2 minutes at the default interval).</summary>
    public static readonly ChartRange Live = new("live", "live", TimeSpan.FromMinutes(2));

    /// <summary>The ranges drawn from the history store, in the picker's order.</summary>
    public static readonly IReadOnlyList<ChartRange> Stored =
    [
        new("1h", "1 h", TimeSpan.FromHours(1)),
        new("24h", "24 h", TimeSpan.FromHours(24)),
        new("7d", "7 d", TimeSpan.FromDays(7)),
    ];
}

/// <summary>
/// What a history store adds to the page beside the live panels (registered with the store; absent without one): a
/// range picker on the panels that have charts, and scroll-back and search on stream panels.
/// </summary>
public sealed class PanelHistory(IEnumerable<PanelChart> charts)
{
    private readonly Dictionary<string, PanelChart> _charts = charts.ToDictionary(c => c.Topic);

    public IReadOnlyCollection<PanelChart> Charts => _charts.Values;

    public PanelChart? ChartOf(string topic) => _charts.GetValueOrDefault(topic);
}
