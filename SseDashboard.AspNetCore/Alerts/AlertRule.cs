namespace SseDashboard.Alerts;

/// <summary>A configured rule, ready to evaluate: its log test compiled, its hosts and destinations as sets.</summary>
public sealed class AlertRule(AlertRuleOptions options)
{
    private readonly HashSet<string> _hosts = new(options.Hosts, StringComparer.OrdinalIgnoreCase);

    public AlertRuleOptions Options => options;

    public string Name => options.Name;

    public AlertKind Kind => options.Kind;

    public LogMatch? Log { get; } = options.Kind == AlertKind.Log ? new LogMatch(options) : null;

    public IReadOnlyCollection<string> Destinations => options.Destinations;

    public bool Watches(string host) => _hosts.Count == 0 || _hosts.Contains(host);

    /// <summary>A Metric rule's condition on a value.</summary>
    public bool Holds(double value) =>
        (options.Above is not { } above || value > above) && (options.Below is not { } below || value < below);

    /// <summary>The fragment id of the rule on the page, which a notification's link opens.</summary>
    public static string Anchor(string rule) =>
        "alert-" + new string(rule.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
}

/// <summary>One rule on one host, while it is pending or firing: what its notifications and the panel say.</summary>
internal sealed class AlertInstance(AlertRule rule, string host)
{
    public const int MaxSamples = 5;

    public AlertRule Rule => rule;

    public string Host => host;

    /// <summary>Null while inactive (then the instance is dropped), else pending or firing.</summary>
    public string? State { get; set; }

    public DateTimeOffset Since { get; set; }

    public DateTimeOffset? NotifiedAt { get; set; }

    /// <summary>A log rule's matches since it fired.</summary>
    public long Matches { get; set; }

    /// <summary>Matches not yet in a notification, and the first of them (redacted as published).</summary>
    public long Unnotified { get; set; }

    public List<string> Samples { get; } = [];

    /// <summary>The newest sample lines, for the panel.</summary>
    public List<string> Lines { get; set; } = [];

    public Queue<DateTimeOffset> Window { get; } = new();

    public DateTimeOffset LastMatch { get; set; }

    public double? Value { get; set; }

    /// <summary>Changed since last stored (more matches, a new value): stored at the next tick, for the other nodes' panels.</summary>
    public bool Dirty { get; set; }

    public string Summary { get; set; } = "";

    public void Sample(string line)
    {
        if (Samples.Count < MaxSamples)
        {
            Samples.Add(line);
        }

        Lines.Add(line);
        if (Lines.Count > MaxSamples)
        {
            Lines.RemoveAt(0);
        }
    }

    public StoredAlert ToStored() => new(rule.Name, host, State!, Since, NotifiedAt, Matches, Value, Summary, [.. Lines]);
}
