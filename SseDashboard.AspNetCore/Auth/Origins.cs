namespace SseDashboard.Auth;

/// <summary>Browser origins as embed settings and embed tokens name them: <c>'self'</c> or an exact http(s) origin.</summary>
public static class Origins
{
    public const string Self = "'self'";

    /// <summary>Why <paramref name="origin"/> is not an exact origin, or null when it is.</summary>
    public static string? Problem(string origin)
    {
        if (origin == Self)
        {
            return null;
        }

        // Exact origins only: a wildcard would be '*' with credentials on /sse, and a path has no meaning in an origin.
        if (origin.Contains('*'))
        {
            return "must name exact origins: wildcards are not allowed";
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "must be 'self' or an http(s) origin like https://tools.example";
        }

        return uri.PathAndQuery != "/" || uri.Fragment.Length > 0 || !string.IsNullOrEmpty(uri.UserInfo)
            ? "must be an origin (scheme, host and port) without path, query or credentials"
            : null;
    }

    /// <summary>
    /// A valid origin as a browser sends it in <c>Origin</c>: lower-case host, no default port, no trailing slash
    /// (<c>https://Tools.example:443/</c> is <c>https://tools.example</c>), so CORS and <c>frame-ancestors</c> match it.
    /// </summary>
    public static string Normalize(string origin) =>
        origin == Self ? Self : new Uri(origin).GetLeftPart(UriPartial.Authority);

    /// <summary>The origins a CORS policy lists: all but <c>'self'</c>, which needs none.</summary>
    public static string[] ForCors(IEnumerable<string> origins) =>
        origins.Where(o => o != Self).Select(Normalize).ToArray();
}
