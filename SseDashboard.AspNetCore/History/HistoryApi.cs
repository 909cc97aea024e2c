using System.Globalization;
using Microsoft.Extensions.Options;
using SseDashboard.LogTail;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.History;

/// <summary>
/// <c>GET /api/history/{topic}</c> (a metric's points over a range, at most about <see cref="MaxPoints"/>) and
/// <c>GET /api/logs</c> (stored lines, newest first, paged by id, searchable).
/// </summary>
public static class HistoryApi
{
    public const int MaxPoints = 1000;
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    private static readonly string[] Levels = ["trace", "debug", "info", "warn", "error", "fatal"];

    public static RouteGroupBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/history/{topic}", GetHistoryAsync);
        api.MapGet("/logs", GetLogsAsync);
        return api;
    }

    private static async Task<IResult> GetHistoryAsync(
        string topic, HttpRequest request, HistoryStore store, PanelHistory history, IOptions<HistoryOptions> options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (history.ChartOf(topic) is null)
        {
            return NoHistory(history, topic);
        }

        if (ParseRange(request, timeProvider.GetUtcNow(), TimeSpan.FromHours(1), out var from, out var to) is { } problem)
        {
            return problem;
        }

        if (SseRequest.ParseHost(request.Query["host"], out var host) is { } hostProblem)
        {
            return hostProblem;
        }

        var series = await MetricSeries.ReadAsync(store, topic, host, from, to, options.Value.MetricsRetention, timeProvider.GetUtcNow(), MaxPoints, cancellationToken);
        return TypedResults.Json(series, HistoryJsonContext.Api.MetricSeries);
    }

    private static async Task<IResult> GetLogsAsync(
        HttpRequest request, HistoryStore store, PanelRenderer panels, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var query = request.Query;
        DateTimeOffset? from = null, to = null;
        if (query.ContainsKey("from") || query.ContainsKey("to"))
        {
            if (ParseRange(request, timeProvider.GetUtcNow(), null, out var f, out var t) is { } rangeProblem)
            {
                return rangeProblem;
            }

            (from, to) = (query.ContainsKey("from") ? f : null, query.ContainsKey("to") ? t : null);
        }

        if (ParseLong(query, "before", out var before) is { } beforeProblem)
        {
            return beforeProblem;
        }

        if (ParseLong(query, "after", out var after) is { } afterProblem)
        {
            return afterProblem;
        }

        if (ParseLong(query, "limit", out var limit) is { } limitProblem)
        {
            return limitProblem;
        }

        if (limit is < 1 or > MaxLimit)
        {
            return Problem("limit", $"limit must be between 1 and {MaxLimit} (was {limit}).");
        }

        var level = query["level"].ToString();
        var minLevel = Array.IndexOf(Levels, level.ToLowerInvariant());
        if (level.Length > 0 && minLevel < 0)
        {
            return Problem("level", $"Unknown level '{level}'. Valid levels: {string.Join(", ", Levels)}.", Levels);
        }

        var format = query["format"].ToString();
        if (format is not ("" or "json" or "html"))
        {
            return Problem("format", $"Unknown format '{format}'. Valid formats: json, html.", ["json", "html"]);
        }

        if (SseRequest.ParseHosts(query["hosts"], out var hosts) is { } hostsProblem)
        {
            return hostsProblem;
        }

        // field.KEY=VALUE: entries whose field KEY is VALUE.
        var fields = query.Where(p => p.Key.StartsWith("field.", StringComparison.Ordinal))
            .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key["field.".Length..], v ?? "")))
            .ToArray();
        if (fields.Any(f => f.Key.Length == 0))
        {
            return Problem("field.", "A field filter names its field: field.OrderId=42.");
        }

        // level:NAME in q: entries of that level exactly (beside level=, which is that level and above).
        var (text, levelTerm) = LevelTerm(query["q"].ToString());
        if (levelTerm is not null && Array.IndexOf(Levels, levelTerm) < 0)
        {
            return Problem("q", $"Unknown level in level:{levelTerm}. Valid levels: {string.Join(", ", Levels)}.", Levels);
        }

        var take = (int)(limit ?? DefaultLimit);
        var rows = await store.QueryLogsAsync(
            new LogQuery(
                from?.ToUnixTimeMilliseconds(),
                to?.ToUnixTimeMilliseconds(),
                text,
                levelTerm is not null ? (minLevel < 0 || Array.IndexOf(Levels, levelTerm) >= minLevel ? [levelTerm] : []) : minLevel < 0 ? null : Levels[minLevel..],
                query.ContainsKey("file") ? query["file"].ToString() : null,
                before,
                take + 1,
                after)
            {
                Hosts = hosts?.ToArray(),
                Fields = fields,
            },
            cancellationToken);
        // With after alone the extra row is the newest (the page is the oldest after it), and there is no next page.
        var oldestFirst = after is not null && before is null;
        var page = rows.Count > take ? (oldestFirst ? rows.Skip(1) : rows.Take(take)).ToList() : rows;
        long? next = rows.Count > take && !oldestFirst ? page[^1].Id : null;

        if (format == "html")
        {
            // The panel's own markup, oldest first as the panel shows lines, each with its data-id.
            var batches = page.Reverse().Select(r => (object)(LogRows.ToBatch(r) with { EventId = r.Id })).ToArray();
            var html = await panels.RenderAsync(LogTailTopics.Log, batches);
            if (next is { } cursor)
            {
                request.HttpContext.Response.Headers["X-Next-Before"] = cursor.ToString(CultureInfo.InvariantCulture);
            }

            return TypedResults.Content(html, "text/html; charset=utf-8");
        }

        var lines = page.Select(Stored).ToArray();
        return TypedResults.Json(new LogPage(lines, next), HistoryJsonContext.Api.LogPage);

        static StoredLine Stored(LogRow row)
        {
            var line = LogRows.ToLine(row);
            // A JSON entry's own time when it has one, else when it was read.
            return new StoredLine(row.Id, line.Timestamp ?? DateTimeOffset.FromUnixTimeMilliseconds(row.At), row.File, line.Text, line.Level)
            {
                Host = row.Host,
                Cut = line.Cut,
                Redacted = line.Redacted,
                Message = line.Message,
                Fields = line.Fields,
                Exception = line.Exception,
                Category = line.Category,
                TraceId = line.TraceId,
            };
        }
    }

    // q without its level:NAME term (the last one wins), and that level.
    private static (string Text, string? Level) LevelTerm(string q)
    {
        string? level = null;
        var words = q.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Where(word =>
        {
            if (!word.StartsWith("level:", StringComparison.OrdinalIgnoreCase) || word.Length == "level:".Length)
            {
                return true;
            }

            level = word["level:".Length..].ToLowerInvariant();
            return false;
        }).ToArray();
        return (string.Join(' ', words), level);
    }

    /// <summary>404 for a topic with no history to draw, naming those with one (the panels with charts).</summary>
    internal static IResult NoHistory(PanelHistory history, string topic)
    {
        var valid = history.Charts.Select(c => c.Topic).ToArray();
        return TypedResults.Problem(
            title: "No history",
            detail: $"There is no history of '{topic}'. Topics with one: {string.Join(", ", valid)}.",
            statusCode: StatusCodes.Status404NotFound,
            extensions: new Dictionary<string, object?> { ["parameter"] = "topic", ["validValues"] = valid });
    }

    // from and to: ISO 8601, UTC unless they say otherwise. Either may be left out: to is now, from is to - span.
    internal static IResult? ParseRange(HttpRequest request, DateTimeOffset now, TimeSpan? span, out DateTimeOffset from, out DateTimeOffset to)
    {
        from = to = now;
        if (ParseTime(request.Query, "to", out var t) is { } toProblem)
        {
            return toProblem;
        }

        if (ParseTime(request.Query, "from", out var f) is { } fromProblem)
        {
            return fromProblem;
        }

        to = t ?? now;
        from = f ?? (span is { } s ? to - s : DateTimeOffset.UnixEpoch);
        return from > to
            ? Problem("from", $"from ({Timestamps.Format(from)}) is after to ({Timestamps.Format(to)}).")
            : null;
    }

    internal static IResult? ParseTime(IQueryCollection query, string name, out DateTimeOffset? value)
    {
        value = null;
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return null;
        }

        return Problem(name, $"{name} must be an ISO 8601 time such as 2026-11-22T03:00:00Z (was '{text}').");
    }

    private static IResult? ParseLong(IQueryCollection query, string name, out long? value)
    {
        value = null;
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return null;
        }

        return Problem(name, $"{name} must be a non-negative integer (was '{text}').");
    }

    internal static IResult Problem(string parameter, string detail, IEnumerable<string>? validValues = null)
    {
        var extensions = new Dictionary<string, object?> { ["parameter"] = parameter };
        if (validValues is not null)
        {
            extensions["validValues"] = validValues.ToArray();
        }

        return TypedResults.Problem(title: $"Invalid {parameter}", detail: detail, statusCode: StatusCodes.Status400BadRequest, extensions: extensions);
    }
}
