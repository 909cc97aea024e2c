using System.Text.Json;
using SseDashboard.Streaming;

namespace SseDashboard.Alerts;

/// <summary>The evaluator's reading of events: each through its public JSON, parsed once for every rule that reads it.</summary>
public sealed partial class AlertEvaluator
{
    private async Task OnEventAsync(Topic topic, string host, object payload, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        _lastSeen[host] = now;
        foreach (var quiet in _rules.Where(r => r.Kind == AlertKind.HostOffline && r.Watches(host)))
        {
            if (_active.TryGetValue((quiet.Name, host), out var offline) && offline.State == AlertStates.Firing)
            {
                offline.Summary = $"{host} is sending again";
                await ResolveAsync(offline, now, cancellationToken);
            }
        }

        var rules = _rules.Where(r => r.Watches(host) && Reads(r, topic.Name)).ToArray();
        if (rules.Length == 0)
        {
            return;
        }

        using var json = JsonDocument.Parse(topic.SerializeJson(payload));
        var root = json.RootElement;
        if (topic.Name == "log")
        {
            await OnLogAsync(rules, host, root, now, cancellationToken);
            return;
        }

        foreach (var rule in rules)
        {
            if (rule.Kind == AlertKind.Metric && Number(root, rule.Options.Field!) is { } value)
            {
                var summary = $"{topic.Name}.{rule.Options.Field} is {value:0.##} ({(rule.Options.Above is { } a ? $"above {a:0.##}" : $"below {rule.Options.Below:0.##}")}) on {host}";
                await OnConditionAsync(rule, host, rule.Holds(value), value, summary, now, cancellationToken);
            }
            else if (rule.Kind == AlertKind.StoreFailing && root.TryGetProperty("store", out var storeState))
            {
                var failing = storeState.TryGetProperty("status", out var status) && status.GetString() == "failing";
                var error = storeState.TryGetProperty("error", out var e) ? e.GetString() : null;
                await OnConditionAsync(rule, host, failing, null, $"The history store on {host} is failing{(error is null ? "" : $": {error}")}", now, cancellationToken);
            }
        }
    }

    private static bool Reads(AlertRule rule, string topic) => rule.Kind switch
    {
        AlertKind.Log => topic == "log",
        AlertKind.Metric => topic == rule.Options.Topic,
        AlertKind.StoreFailing => topic == "server",
        _ => false,
    };

    private async Task OnLogAsync(AlertRule[] rules, string host, JsonElement batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!batch.TryGetProperty("lines", out var lines) || lines.GetArrayLength() == 0)
        {
            return;
        }

        var file = batch.TryGetProperty("file", out var f) ? f.GetString() : null;
        var views = lines.EnumerateArray().Select(LogLineView.From).ToArray();
        foreach (var rule in rules.Where(r => r.Log!.FileMatches(file)))
        {
            foreach (var line in views)
            {
                if (rule.Log!.Matches(line))
                {
                    await OnLogMatchAsync(rule, host, line.Text, now, cancellationToken);
                }
            }
        }
    }

    /// <summary>A numeric field by its JSON name, or a dotted path into nested objects (<c>disconnects.client</c>).</summary>
    private static double? Number(JsonElement root, string field)
    {
        var element = root;
        foreach (var part in field.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.Number ? element.GetDouble() : null;
    }
}
