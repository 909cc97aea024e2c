using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace SseDashboard.Alerts;

/// <summary>What a rule watches.</summary>
public enum AlertKind
{
    /// <summary>Log lines that match words, a regex, a level and files, some number of times within a window.</summary>
    Log,

    /// <summary>A numeric field of a state topic above or below a threshold for a while.</summary>
    Metric,

    /// <summary>A host that sent nothing for a while (a fleet's agents and nodes).</summary>
    HostOffline,

    /// <summary>The history store failing to store for a while.</summary>
    StoreFailing,
}

/// <summary>How a destination wants its notifications.</summary>
public enum DestinationFormat
{
    Json,
    Slack,
    Discord,
    Ntfy,
}

/// <summary>The <c>Dashboard:Alerts</c> section: rules, where they notify, and how often.</summary>
public sealed class AlertsOptions
{
    public const string Section = "Dashboard:Alerts";

    public List<AlertRuleOptions> Rules { get; set; } = [];

    /// <summary>By name: <c>Dashboard:Alerts:Destinations:NAME</c>.</summary>
    public Dictionary<string, DestinationOptions> Destinations { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How often a rule that goes on firing notifies again.</summary>
    public TimeSpan RepeatInterval { get; set; } = TimeSpan.FromHours(4);

    /// <summary>The least time between two notifications of a firing log rule's further matches.</summary>
    public TimeSpan GroupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The dashboard's address as readers open it (<c>https://ops.example.com</c>), for the link in notifications;
    /// empty: the first address this server listens on, with the mount path.
    /// </summary>
    public string? DashboardUrl { get; set; }
}

/// <summary><c>Dashboard:Alerts:Rules:N</c>.</summary>
public sealed class AlertRuleOptions
{
    public string Name { get; set; } = "";

    public AlertKind Kind { get; set; } = AlertKind.Log;

    /// <summary>Destination names; empty: every destination.</summary>
    public string[] Destinations { get; set; } = [];

    /// <summary>Hosts watched; empty: every host.</summary>
    public string[] Hosts { get; set; } = [];

    // Log
    public string? Words { get; set; }

    public string? Regex { get; set; }

    public string? MinLevel { get; set; }

    /// <summary>Globs of the files watched (<c>*</c>, <c>?</c>, <c>**</c>); empty: every file.</summary>
    public string[] Files { get; set; } = [];

    public int Count { get; set; } = 1;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    // Metric
    public string? Topic { get; set; }

    public string? Field { get; set; }

    public double? Above { get; set; }

    public double? Below { get; set; }

    /// <summary>Metric, HostOffline, StoreFailing: how long the condition holds before the alert fires.</summary>
    public TimeSpan For { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary><c>Dashboard:Alerts:Destinations:NAME</c>: a webhook. Its URL and headers are secrets: never shown.</summary>
public sealed class DestinationOptions
{
    public string? Url { get; set; }

    public DestinationFormat Format { get; set; } = DestinationFormat.Json;

    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class ValidateAlertsOptions : IValidateOptions<AlertsOptions>
{
    /// <summary>The topics a Metric rule may watch.</summary>
    public static readonly IReadOnlyList<string> MetricTopics = ["cpu", "memory", "server", "meters"];

    public ValidateOptionsResult Validate(string? name, AlertsOptions options)
    {
        var errors = new OptionsErrors(AlertsOptions.Section);
        errors.Range("RepeatInterval", options.RepeatInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(30));
        errors.Range("GroupInterval", options.GroupInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        if (options.DashboardUrl is { Length: > 0 } dashboardUrl && !Uri.TryCreate(dashboardUrl, UriKind.Absolute, out _))
        {
            errors.Add("DashboardUrl", $"must be an absolute URL like https://ops.example.com (was '{dashboardUrl}').");
        }
        foreach (var (destination, d) in options.Destinations)
        {
            if (!Uri.TryCreate(d.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                // Never the URL itself: it is a secret (a Slack webhook's path is its key).
                errors.Add($"Destinations:{destination}:Url", "must be an absolute http or https URL.");
            }

            if (!Enum.IsDefined(d.Format))
            {
                errors.Add($"Destinations:{destination}:Format", $"must be Json, Slack, Discord or Ntfy (was '{d.Format}').");
            }

            foreach (var header in d.Headers.Keys.Where(h => h.Length == 0 || h.Any(c => c <= ' ' || c == ':' || c >= 127)))
            {
                errors.Add($"Destinations:{destination}:Headers", $"'{header}' is not an HTTP header name.");
            }

            foreach (var header in d.Headers.Keys.Where(h => h.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"Destinations:{destination}:Headers", $"'{header}' is set by the format (Format), not by a header.");
            }
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Rules.Count; i++)
        {
            ValidateRule($"Rules:{i}:", options.Rules[i], options, names, errors);
        }

        return errors.Result;
    }

    private static void ValidateRule(string key, AlertRuleOptions rule, AlertsOptions options, HashSet<string> names, OptionsErrors errors)
    {
        if (string.IsNullOrWhiteSpace(rule.Name))
        {
            errors.Add(key + "Name", "is required: it names the rule in notifications, on the page and in the API.");
        }
        else if (!names.Add(rule.Name))
        {
            errors.Add(key + "Name", $"must be unique ('{rule.Name}' is used twice).");
        }

        if (!Enum.IsDefined(rule.Kind))
        {
            errors.Add(key + "Kind", $"must be Log, Metric, HostOffline or StoreFailing (was '{rule.Kind}').");
        }

        foreach (var destination in rule.Destinations.Where(d => !options.Destinations.ContainsKey(d)))
        {
            errors.Add(key + "Destinations", $"names '{destination}', which is not under Dashboard:Alerts:Destinations ({string.Join(", ", options.Destinations.Keys)}).");
        }

        // A host is quiet between its events: HostOffline needs a For longer than that.
        errors.Range(key + "For", rule.For, rule.Kind == AlertKind.HostOffline ? TimeSpan.FromSeconds(1) : TimeSpan.Zero, TimeSpan.FromDays(7));
        switch (rule.Kind)
        {
            case AlertKind.Log:
                if (string.IsNullOrWhiteSpace(rule.Words) && string.IsNullOrEmpty(rule.Regex))
                {
                    errors.Add(key + "Words", "or Regex is required for a Log rule: what a line must say.");
                }

                if (rule.Regex is { Length: > 0 } regex)
                {
                    try
                    {
                        _ = new Regex(regex, RegexOptions.None, LogMatch.RegexTimeout);
                    }
                    catch (ArgumentException ex)
                    {
                        errors.Add(key + "Regex", $"is not a valid regular expression: {ex.Message}");
                    }
                }

                if (rule.MinLevel is { } level && LogMatch.LevelRank(level) < 0)
                {
                    errors.Add(key + "MinLevel", $"must be trace, debug, info, warn, error or fatal (was '{level}').");
                }

                errors.Range(key + "Count", rule.Count, 1, 1_000_000);
                errors.Range(key + "Window", rule.Window, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
                break;
            case AlertKind.Metric:
                if (rule.Topic is null || !MetricTopics.Contains(rule.Topic))
                {
                    errors.Add(key + "Topic", $"must be one of {string.Join(", ", MetricTopics)} (was '{rule.Topic}').");
                }

                if (string.IsNullOrWhiteSpace(rule.Field))
                {
                    errors.Add(key + "Field", "is required for a Metric rule: a numeric JSON field of the topic, like systemPercent.");
                }

                if (rule.Above is null == rule.Below is null)
                {
                    errors.Add(key + "Above", "or Below (one of them) is required for a Metric rule.");
                }

                break;
        }
    }
}
