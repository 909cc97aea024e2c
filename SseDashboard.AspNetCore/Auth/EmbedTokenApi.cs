using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using SseDashboard.Mount;
using SseDashboard.Streaming;

namespace SseDashboard.Auth;

/// <summary><c>/api/embed-tokens</c>: a logged-in user makes, lists and revokes embed tokens.</summary>
public static class EmbedTokenApi
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(30);

    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(365);

    /// <summary>The body of <c>POST /api/embed-tokens</c>: <c>expiresIn</c> as <c>d.hh:mm:ss</c>, default 30 days.</summary>
    public sealed record CreateRequest(string[]? Panels, TimeSpan? ExpiresIn, string[]? Origins);

    /// <summary>The only answer that ever holds the token.</summary>
    public sealed record CreatedToken(string Id, string Token, [property: JsonConverter(typeof(UtcMillisecondsConverter))] DateTimeOffset ExpiresAt, string Url);

    public static RouteGroupBuilder MapEmbedTokens(this IEndpointRouteBuilder app)
    {
        // The default policy: a logged-in user, never an embed token.
        var group = app.MapGroup("/api/embed-tokens").RequireAuthorization();
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapDelete("/{id}", Revoke);
        return group;
    }

    private static async Task<Results<Ok<IReadOnlyList<EmbedTokenInfo>>, ProblemHttpResult>> List(AccessStore store, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await store.LiveEmbedTokensAsync(cancellationToken));
        }
        catch (AccessStoreUnavailableException ex)
        {
            return Unavailable(ex);
        }
    }

    private static ProblemHttpResult Unavailable(AccessStoreUnavailableException ex) =>
        TypedResults.Problem(title: "Store unavailable", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);

    // The body is read here, not bound by the framework, so that a body that is not the JSON gets a problem saying why.
    private static async Task<Results<Created<CreatedToken>, ValidationProblem, ProblemHttpResult>> Create(EmbedTokens tokens, EventHub hub, HttpContext context)
    {
        if (!context.Request.HasJsonContentType())
        {
            return TypedResults.Problem(
                title: "Unsupported media type",
                detail: "Send the request as application/json: {\"panels\":[\"cpu\"],\"expiresIn\":\"30.00:00:00\",\"origins\":[\"https://tools.example\"]}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        CreateRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<CreateRequest>(context.RequestAborted);
        }
        catch (JsonException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"Not the expected JSON: {ex.Message}"] });
        }

        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The body is empty: send {\"panels\":[…]}."] });
        }

        var errors = new Dictionary<string, string[]>();
        var panels = new List<string>();
        foreach (var name in request.Panels ?? [])
        {
            if (!hub.TryGetTopic(name, out var topic) || !topic.Embeddable)
            {
                errors["panels"] = [$"Unknown panel '{name}'. Panels that embed: {string.Join(", ", hub.Topics.Where(t => t.Embeddable).Select(t => t.Name))}."];
                break;
            }

            if (!panels.Contains(topic.Name))
            {
                panels.Add(topic.Name);
            }
        }

        if (panels.Count == 0 && !errors.ContainsKey("panels"))
        {
            errors["panels"] = [$"Name at least one panel: {string.Join(", ", hub.Topics.Where(t => t.Embeddable).Select(t => t.Name))}."];
        }

        var expiresIn = request.ExpiresIn ?? DefaultLifetime;
        if (expiresIn < TimeSpan.FromSeconds(1) || expiresIn > MaxLifetime)
        {
            errors["expiresIn"] = [$"Must be between 00:00:01 and {MaxLifetime.Days}.00:00:00 (was {expiresIn})."];
        }

        var origins = request.Origins ?? [];
        var originProblems = origins.Select((o, i) => Origins.Problem(o) is { } p ? $"origins[{i}] {p} (was '{o}')." : null).OfType<string>().ToArray();
        if (originProblems.Length > 0)
        {
            errors["origins"] = originProblems;
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        EmbedTokenInfo info;
        string token;
        try
        {
            (info, token) = await tokens.CreateAsync([.. panels], expiresIn, [.. origins.Select(Origins.Normalize).Distinct()], context.RequestAborted);
        }
        catch (AccessStoreUnavailableException ex)
        {
            return Unavailable(ex);
        }

        var mount = context.RequestServices.GetRequiredService<DashboardMount>();
        var url = $"{mount.Url(context.Request, $"/panels/{panels[0]}")}?{AuthSchemes.EmbedQuery}={token}";
        return TypedResults.Created(mount.Url(context.Request, $"/api/embed-tokens/{info.Id}"), new CreatedToken(info.Id, token, info.ExpiresAt, url));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(string id, EmbedTokens tokens, CancellationToken cancellationToken)
    {
        try
        {
            return await tokens.RevokeAsync(id, cancellationToken)
                ? TypedResults.NoContent()
                : TypedResults.Problem(title: "No such embed token", detail: $"No live embed token has the id '{id}'.", statusCode: StatusCodes.Status404NotFound);
        }
        catch (AccessStoreUnavailableException ex)
        {
            return Unavailable(ex);
        }
    }
}
