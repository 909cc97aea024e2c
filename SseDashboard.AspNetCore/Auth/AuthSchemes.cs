using Microsoft.Extensions.Options;
using SseDashboard.Mount;

namespace SseDashboard.Auth;

/// <summary>The authentication schemes, and which one a request is judged by.</summary>
public static class AuthSchemes
{
    /// <summary>The default: forwards to one of the others.</summary>
    public const string Dashboard = "Dashboard";
    public const string Session = "Session";
    public const string Bearer = "Bearer";
    public const string Proxy = "Proxy";
    public const string Embed = "Embed";
    public const string Open = "Open";

    public const string EmbedQuery = "embed";

    public static string Select(HttpContext context)
    {
        if (context.Request.Query.ContainsKey(EmbedQuery))
        {
            return Embed;
        }

        var mode = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.Mode;
        return mode switch
        {
            // In Proxy mode an Authorization header is the proxy's business (oauth2-proxy can pass its own along).
            AuthMode.Token when context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) => Bearer,
            AuthMode.Token => Session,
            AuthMode.Proxy => Proxy,
            _ => Open,
        };
    }

    /// <summary>Streams and the API answer 401/403 as problem+json; only pages redirect to the login form.</summary>
    public static bool IsApi(HttpRequest request) =>
        request.HttpContext.RequestServices.GetRequiredService<DashboardMount>().Contains(request.Path, out var path)
        && (path.StartsWithSegments("/sse") || path.StartsWithSegments("/api"));

    public static Task UnauthorizedAsync(HttpContext context, string detail) =>
        TypedResults.Problem(title: "Not logged in", detail: detail, statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);

    public static Task ForbiddenAsync(HttpContext context, string detail) =>
        TypedResults.Problem(title: "Not allowed", detail: detail, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
}
