using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace SseDashboard.Streaming;

/// <summary>
/// What a <c>GET /sse</c> asks for: topics, format, where to resume and which hosts (null: all); or the problem that
/// names the bad parameter.
/// </summary>
public sealed record SseRequest(IReadOnlyCollection<Topic> Topics, SseFormat Format, long? LastEventId, IReadOnlySet<string>? Hosts = null)
{
    /// <param name="allowed">The topics the caller may read (null: all): no <c>topics</c> means these, any other is 403.</param>
    public static IResult? TryParse(HttpRequest request, EventHub hub, IReadOnlySet<string>? allowed, out SseRequest parsed)
    {
        // Parsed aside, not through request.Query, whose collection the request would keep as long as the stream.
        var query = QueryHelpers.ParseQuery(request.QueryString.Value);
        var topicsProblem = ParseTopics(hub, query.GetValueOrDefault("topics"), allowed, out var topics);
        var formatProblem = ParseFormat(query.GetValueOrDefault("format"), out var format);
        var idProblem = ParseLastEventId(request, query, out var lastEventId);
        var hostsProblem = ParseHosts(query.GetValueOrDefault("hosts"), out var hosts);
        parsed = new SseRequest(topics, format, lastEventId, hosts);
        return topicsProblem ?? formatProblem ?? idProblem ?? hostsProblem;
    }

    /// <summary><c>host=web-1</c>: one host name by the host-name rule, or none (null).</summary>
    public static IResult? ParseHost(string? value, out string? host)
    {
        host = string.IsNullOrEmpty(value) ? null : value;
        return host is null || HostNames.IsValid(host)
            ? null
            : TypedResults.Problem(
                title: "Invalid host",
                detail: $"host must be a host name ({HostNames.Rule}); '{host}' is not one.",
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["parameter"] = "host" });
    }

    /// <summary><c>hosts=web-1,web-2</c>: host names by the host-name rule; a host not seen yet is fine (it may come).</summary>
    public static IResult? ParseHosts(string? value, out IReadOnlySet<string>? hosts)
    {
        hosts = null;
        if (value is null)
        {
            return null;
        }

        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var bad = names.Length == 0 ? value : names.FirstOrDefault(n => !HostNames.IsValid(n));
        if (bad is not null)
        {
            return TypedResults.Problem(
                title: "Invalid hosts",
                detail: $"hosts must be a comma-separated list of host names ({HostNames.Rule}); '{bad}' is not one.",
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["parameter"] = "hosts" });
        }

        hosts = names.ToHashSet(StringComparer.Ordinal);
        return null;
    }

    private static IResult? ParseTopics(EventHub hub, string? value, IReadOnlySet<string>? allowed, out IReadOnlyCollection<Topic> topics)
    {
        var names = (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
        {
            topics = allowed is null ? hub.Topics : hub.Topics.Where(t => allowed.Contains(t.Name)).ToArray();
            return null;
        }

        var selected = new List<Topic>();
        foreach (var name in names)
        {
            if (!hub.TryGetTopic(name, out var topic))
            {
                topics = [];
                return Problem(
                    "Unknown topic",
                    $"Unknown topic '{name}'. Valid topics: {string.Join(", ", hub.Topics.Select(t => t.Name))}.",
                    "topics",
                    hub.Topics.Select(t => t.Name));
            }

            if (allowed is not null && !allowed.Contains(topic.Name))
            {
                topics = [];
                return TypedResults.Problem(
                    title: "Topic not allowed",
                    detail: $"This token reaches only {string.Join(", ", hub.Topics.Where(t => allowed.Contains(t.Name)).Select(t => t.Name))}; not '{topic.Name}'.",
                    statusCode: StatusCodes.Status403Forbidden,
                    extensions: new Dictionary<string, object?> { ["parameter"] = "topics" });
            }

            if (!selected.Contains(topic))
            {
                selected.Add(topic);
            }
        }

        topics = selected;
        return null;
    }

    private static IResult? ParseFormat(string? value, out SseFormat format)
    {
        format = SseFormat.Html;
        if (string.IsNullOrEmpty(value) || value.Equals("html", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (value.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            format = SseFormat.Json;
            return null;
        }

        return Problem("Unknown format", $"Unknown format '{value}'. Valid formats: html, json.", "format", ["html", "json"]);
    }

    // The Last-Event-ID header wins over the lastEventId query. A header the hub never issued (EventSource sends back
    // whatever id it last saw) is answered with a fresh snapshot; a malformed query value is the caller's mistake.
    private static IResult? ParseLastEventId(HttpRequest request, Dictionary<string, StringValues> query, out long? lastEventId)
    {
        lastEventId = null;
        if (request.Headers.TryGetValue("Last-Event-ID", out var header))
        {
            lastEventId = long.TryParse(header.ToString().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1;
            return null;
        }

        var value = query.GetValueOrDefault("lastEventId").ToString();
        if (value.Length == 0)
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var queryId))
        {
            lastEventId = queryId;
            return null;
        }

        return TypedResults.Problem(
            title: "Invalid lastEventId",
            detail: $"lastEventId must be a non-negative integer event id (was '{value}').",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = "lastEventId" });
    }

    private static IResult Problem(string title, string detail, string parameter, IEnumerable<string> validValues) =>
        TypedResults.Problem(
            title: title,
            detail: detail,
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?>
            {
                ["parameter"] = parameter,
                ["validValues"] = validValues.ToArray(),
            });
}
