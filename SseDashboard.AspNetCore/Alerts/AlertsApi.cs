using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using SseDashboard.History;

namespace SseDashboard.Alerts;

/// <summary>
/// <c>/api/alerts</c>: the history of changes (paged like <c>/api/logs</c>), silences, and a test per destination.
/// A browser's changes carry the page's antiforgery token; a script's bearer token needs none.
/// </summary>
public static class AlertsApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1_000;

    public static readonly TimeSpan MaxSilence = TimeSpan.FromDays(30);

    /// <summary>The body of <c>POST /api/alerts/silences</c>: <c>duration</c> as <c>hh:mm:ss</c> or <c>d.hh:mm:ss</c>.</summary>
    public sealed record SilenceRequest(string? Rule, string? Host, TimeSpan? Duration);

    public static RouteGroupBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/alerts");
        group.MapGet("/", ChangesAsync);
        group.MapGet("/silences", async (AlertStore store, CancellationToken cancellationToken) => TypedResults.Ok(await store.SilencesAsync(cancellationToken)));
        group.MapPost("/silences", SilenceAsync);
        group.MapDelete("/silences/{id}", EndSilenceAsync);
        group.MapPost("/destinations/{name}/test", TestAsync);
        return group;
    }

    private static async Task<IResult> ChangesAsync(HttpRequest request, AlertStore store, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (HistoryApi.ParseTime(query, "from", out var from) is { } fromProblem)
        {
            return fromProblem;
        }

        if (HistoryApi.ParseTime(query, "to", out var to) is { } toProblem)
        {
            return toProblem;
        }

        var state = query["state"].ToString();
        string[] states = [AlertStates.Pending, AlertStates.Firing, AlertStates.Resolved];
        if (state.Length > 0 && !states.Contains(state))
        {
            return HistoryApi.Problem("state", $"Unknown state '{state}'. Valid states: {string.Join(", ", states)}.", states);
        }

        long? before = null;
        if (query["before"].ToString() is { Length: > 0 } b)
        {
            if (!long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return HistoryApi.Problem("before", $"before must be a change's id (was '{b}').");
            }

            before = parsed;
        }

        var limit = DefaultLimit;
        if (query["limit"].ToString() is { Length: > 0 } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return HistoryApi.Problem("limit", $"limit must be between 1 and {MaxLimit} (was {l}).");
        }

        var rule = query["rule"].ToString();
        var rows = await store.ChangesAsync(from, to, rule.Length > 0 ? rule : null, state.Length > 0 ? state : null, before, limit + 1, cancellationToken);
        var page = rows.Take(limit).ToList();
        return TypedResults.Ok(new ChangesPage(page, rows.Count > limit ? page[^1].Id : null));
    }

    /// <summary>A page of changes, newest first; <c>next</c> is the <c>before</c> of the next page (null on the last).</summary>
    public sealed record ChangesPage(IReadOnlyList<AlertChange> Changes, long? Next);

    private static async Task<Results<Created<Silence>, ValidationProblem, ProblemHttpResult>> SilenceAsync(
        HttpContext context, AlertStore store, AlertEvaluator evaluator, Microsoft.Extensions.Options.IOptions<AlertsOptions> options, TimeProvider timeProvider)
    {
        if (await AntiforgeryProblemAsync(context) is { } forgery)
        {
            return forgery;
        }

        SilenceRequest? request;
        try
        {
            request = context.Request.HasJsonContentType() ? await context.Request.ReadFromJsonAsync<SilenceRequest>(context.RequestAborted) : null;
        }
        catch (JsonException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"Not the expected JSON: {ex.Message}"] });
        }

        var errors = new Dictionary<string, string[]>();
        var rules = options.Value.Rules.Select(r => r.Name).ToArray();
        if (request is null)
        {
            errors["body"] = ["Send application/json: {\"rule\":\"payment declined\",\"host\":\"web-1\",\"duration\":\"01:00:00\"} (host may be left out: every host)."];
        }
        else
        {
            if (request.Rule is null || !rules.Contains(request.Rule))
            {
                errors["rule"] = [$"Unknown rule '{request.Rule}'. Rules: {string.Join(", ", rules)}."];
            }

            if (request.Duration is not { } duration || duration < TimeSpan.FromMinutes(1) || duration > MaxSilence)
            {
                errors["duration"] = [$"Must be between 00:01:00 and {MaxSilence.Days}.00:00:00 (was {request.Duration?.ToString() ?? "missing"})."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = timeProvider.GetUtcNow();
        var silence = new Silence(
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), request!.Rule!, string.IsNullOrEmpty(request.Host) ? null : request.Host,
            now, now + request.Duration!.Value, context.User.Identity?.Name);
        await store.AddSilenceAsync(silence, context.RequestAborted);
        await evaluator.SilencesChangedAsync(context.RequestAborted);
        return TypedResults.Created($"{context.Request.PathBase}{context.Request.Path}/{silence.Id}", silence);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EndSilenceAsync(string id, HttpContext context, AlertStore store, AlertEvaluator evaluator)
    {
        if (await AntiforgeryProblemAsync(context) is { } forgery)
        {
            return forgery;
        }

        if (!await store.EndSilenceAsync(id, context.RequestAborted))
        {
            return TypedResults.Problem(title: "No such silence", detail: $"No live silence has the id '{id}'.", statusCode: StatusCodes.Status404NotFound);
        }

        await evaluator.SilencesChangedAsync(context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> TestAsync(string name, HttpContext context, AlertNotifier notifier, AlertLinks links, TimeProvider timeProvider)
    {
        if (await AntiforgeryProblemAsync(context) is { } forgery)
        {
            return forgery;
        }

        if (!notifier.Has(name))
        {
            return TypedResults.Problem(title: "No such destination", detail: $"No destination is named '{name}'.", statusCode: StatusCodes.Status404NotFound);
        }

        var now = timeProvider.GetUtcNow();
        notifier.Enqueue(
            new AlertNotification("test", "Test", "test", "", now, null, $"A test notification from SseDashboard to {name}.", null, 0, [], links.To("test")),
            [name]);
        return TypedResults.Accepted((string?)null);
    }

    // A browser (cookie, a proxy's user, Basic) proves the request comes from the dashboard's page; a script's bearer
    // token is one no other site's form can send.
    private static async Task<ProblemHttpResult?> AntiforgeryProblemAsync(HttpContext context) =>
        context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context)
            ? null
            : TypedResults.Problem(title: "Invalid request", detail: "The page's antiforgery token is missing or wrong: reload the page.", statusCode: StatusCodes.Status400BadRequest);
}
