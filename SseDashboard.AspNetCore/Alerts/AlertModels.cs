using System.Text.Json;
using System.Text.Json.Serialization;
using SseDashboard.Streaming;

namespace SseDashboard.Alerts;

/// <summary>Where an alert stands: <c>pending</c> (the condition holds, not yet for long enough), <c>firing</c>, <c>resolved</c>.</summary>
public static class AlertStates
{
    public const string Pending = "pending";
    public const string Firing = "firing";
    public const string Resolved = "resolved";
}

/// <summary>One rule on one host that is pending or firing now.</summary>
public sealed record ActiveAlert(
    string Rule,
    string Kind,
    string Host,
    string State,
    DateTimeOffset Since,
    string Summary,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Value,
    long Matches,
    IReadOnlyList<string> Lines,
    bool Silenced);

/// <summary>A state change, as stored and as the <c>alerts</c> topic and <c>/api/alerts</c> give it.</summary>
public sealed record AlertChange(
    long Id,
    string Rule,
    string State,
    string Host,
    DateTimeOffset At,
    string Summary,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Value,
    long Matches);

/// <summary>A silence: the rule (on one host, or every host when null) notifies nothing until <see cref="EndsAt"/>.</summary>
public sealed record Silence(
    string Id,
    string Rule,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Host,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CreatedBy)
{
    public bool Covers(string rule, string host, DateTimeOffset now) =>
        Rule == rule && (Host is null || string.Equals(Host, host, StringComparison.OrdinalIgnoreCase)) && StartsAt <= now && now < EndsAt;
}

/// <summary>A destination as the page shows it: its name and health, never its URL or headers.</summary>
public sealed record DestinationHealth(
    string Name,
    string Format,
    string Status,
    long Sent,
    long Failed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? FailingSince = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

/// <summary>
/// The <c>alerts</c> payload: the change it was published for (<c>rule</c>, <c>state</c>, <c>host</c>, <c>at</c>,
/// <c>summary</c>; absent on the first, which only paints), and what the panel shows with it: what is active now,
/// recent changes, silences and destinations' health.
/// </summary>
public sealed record AlertsUpdate(
    DateTimeOffset Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Rule,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? State,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Host,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? At,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Summary,
    IReadOnlyList<ActiveAlert> Active,
    IReadOnlyList<AlertChange> Recent,
    IReadOnlyList<Silence> Silences,
    IReadOnlyList<DestinationHealth> Destinations)
{
    /// <summary>How many fire now (silenced ones too: they still fire).</summary>
    public int Firing => Active.Count(a => a.State == AlertStates.Firing);
}

/// <summary>What a destination is sent about one alert.</summary>
public sealed record AlertNotification(
    string Rule,
    string Kind,
    string State,
    string Host,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    string Summary,
    double? Value,
    long Matches,
    IReadOnlyList<string> Lines,
    string Url);

public static class AlertTopics
{
    /// <summary>Not embeddable: an embed token never reaches alerts.</summary>
    public static readonly Topic<AlertsUpdate> Alerts = new("alerts", TopicKind.State, "Alerts", AlertsJsonContext.Api.AlertsUpdate) { Embeddable = false };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AlertsUpdate))]
[JsonSerializable(typeof(AlertNotification))]
[JsonSerializable(typeof(List<AlertChange>))]
[JsonSerializable(typeof(List<Silence>))]
internal sealed partial class AlertsJsonContext : JsonSerializerContext
{
    public static AlertsJsonContext Api { get; } = new(ApiJson.CreateOptions());
}
