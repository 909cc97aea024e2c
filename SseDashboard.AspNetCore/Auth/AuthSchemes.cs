using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using SseDashboard.Mount;

namespace SseDashboard.Auth;

/// <summary>The authentication schemes, and which one a request is judged by.</summary>
public static class AuthSchemes
{
    // Named for the dashboard, so a host's own schemes ("Bearer" from AddJwtBearer, say) never clash with them. The
    // session cookie keeps its first name: its tickets are protected under it, and a new name would sign everyone out.

    /// <summary>The dashboard policy's scheme (the standalone app's default): forwards to one of the others.</summary>
    public const string Dashboard = "SseDashboard";
    public const string Session = "Session";
    public const string Bearer = "SseDashboard.Bearer";
    public const string Proxy = "SseDashboard.Proxy";
    public const string Embed = "SseDashboard.Embed";
    public const string Open = "SseDashboard.Open";
    public const string OpenIdConnect = "SseDashboard.OpenIdConnect";
    public const string Jwt = "SseDashboard.Jwt";

    public const string EmbedQuery = "embed";

    public static string Select(HttpContext context)
    {
        if (EmbedToken(context.Request) is not null)
        {
            return Embed;
        }

        var mode = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.Mode;
        return mode switch
        {
            // In Proxy mode an Authorization header is the proxy's business (oauth2-proxy can pass its own along).
            AuthMode.Token when context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) => Bearer,
            AuthMode.Token => Session,
            // A JWT is the provider's; anything else may be the static Dashboard:Auth:Token.
            AuthMode.OpenIdConnect when BearerToken(context.Request) is { } token => IsJwt(token) ? Jwt : Bearer,
            AuthMode.OpenIdConnect => Session,
            AuthMode.Proxy => Proxy,
            _ => Open,
        };
    }

    /// <summary>
    /// The <c>?embed=</c> token ("" when the parameter has no value), or null. Read from the query string as it
    /// stands: through <c>Request.Query</c>, the request would keep the parsed collection as long as a stream.
    /// </summary>
    internal static string? EmbedToken(HttpRequest request)
    {
        foreach (var pair in new QueryStringEnumerable(request.QueryString.Value))
        {
            if (pair.DecodeName().Span.Equals(EmbedQuery, StringComparison.OrdinalIgnoreCase))
            {
                return pair.DecodeValue().ToString();
            }
        }

        return null;
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null.</summary>
    internal static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    // Three base64url parts, the first a JSON header ("eyJ" is how "{\"" encodes).
    private static bool IsJwt(string token) => token.StartsWith("eyJ", StringComparison.Ordinal) && token.Count(c => c == '.') == 2;

    /// <summary>Streams and the API answer 401/403 as problem+json; only pages redirect to the login form.</summary>
    public static bool IsApi(HttpRequest request) =>
        request.HttpContext.RequestServices.GetRequiredService<DashboardMount>().Contains(request.Path, out var path)
        && (path.StartsWithSegments("/sse") || path.StartsWithSegments("/api"));

    public static Task UnauthorizedAsync(HttpContext context, string detail) =>
        TypedResults.Problem(title: "Not logged in", detail: detail, statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);

    public const string AccessListDown =
        "Sign-ins and embed tokens cannot be checked now: the store that lists revocations cannot be reached. Try again shortly.";

    /// <summary>503 with <c>Retry-After</c>: the access list cannot be read now; a client that retries gets in once it can.</summary>
    public static Task UnavailableAsync(HttpContext context, string detail)
    {
        context.Response.Headers.RetryAfter = "5";
        return TypedResults.Problem(title: "Unavailable", detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
    }

    public static Task ForbiddenAsync(HttpContext context, string detail) =>
        TypedResults.Problem(title: "Not allowed", detail: detail, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
}
