using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace SseDashboard.Streaming;

/// <summary><c>GET /sse</c>: one connection, the requested topics, each event written as the hub encoded it.</summary>
public static class SseEndpoint
{
    public static async Task HandleAsync(HttpContext context, EventHub hub, IOptions<SseOptions> options)
    {
        var query = context.Request.Query;
        if (ParseTopics(hub, query["topics"], out var topics) is { } topicsProblem)
        {
            await topicsProblem.ExecuteAsync(context);
            return;
        }

        if (ParseFormat(query["format"], out var format) is { } formatProblem)
        {
            await formatProblem.ExecuteAsync(context);
            return;
        }

        if (ParseLastEventId(context.Request, out var lastEventId) is { } idProblem)
        {
            await idProblem.ExecuteAsync(context);
            return;
        }

        var response = context.Response;
        context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-transform";
        response.Headers["X-Accel-Buffering"] = "no";

        var aborted = context.RequestAborted;
        Subscription subscription;
        try
        {
            subscription = await hub.SubscribeAsync(topics, format, lastEventId, context.Abort, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return;
        }

        using var _ = subscription;
        using var registration = aborted.Register(static s => ((Subscription)s!).Complete(), subscription);
        using var deadline = hub.DrainDeadline.Register(static c => ((HttpContext)c!).Abort(), context);

        var writer = response.BodyWriter;
        try
        {
            writer.Write(SseFraming.RetryFrame(options.Value.Retry));
            var flush = await writer.FlushAsync(aborted);
            var queue = subscription.Queue;
            while (!flush.IsCompleted && !flush.IsCanceled && await queue.WaitToReadAsync())
            {
                // Everything queued for this client goes out with one flush.
                foreach (var e in queue.TakeBatch())
                {
                    if (e is not null)
                    {
                        writer.Write(e.Frame(subscription.Format));
                    }
                }

                flush = await writer.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static IResult? ParseTopics(EventHub hub, string? value, out IReadOnlyCollection<Topic> topics)
    {
        var names = (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
        {
            topics = hub.Topics;
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
    private static IResult? ParseLastEventId(HttpRequest request, out long? lastEventId)
    {
        lastEventId = null;
        if (request.Headers.TryGetValue("Last-Event-ID", out var header))
        {
            lastEventId = long.TryParse(header.ToString().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1;
            return null;
        }

        var query = request.Query["lastEventId"].ToString();
        if (query.Length == 0)
        {
            return null;
        }

        if (long.TryParse(query, NumberStyles.None, CultureInfo.InvariantCulture, out var queryId))
        {
            lastEventId = queryId;
            return null;
        }

        return TypedResults.Problem(
            title: "Invalid lastEventId",
            detail: $"lastEventId must be a non-negative integer event id (was '{query}').",
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
