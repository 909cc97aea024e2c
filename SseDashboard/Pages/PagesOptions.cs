using Microsoft.Extensions.Options;

namespace SseDashboard.Pages;

/// <summary>The <c>Dashboard:Ui</c> section: how the page behaves in the browser.</summary>
public sealed class UiOptions
{
    public const string Section = "Dashboard:Ui";

    /// <summary>The log panel never holds more lines than this; older ones are trimmed, and counted.</summary>
    public int MaxLogLines { get; set; } = 1000;
}

public sealed class ValidateUiOptions : IValidateOptions<UiOptions>
{
    public ValidateOptionsResult Validate(string? name, UiOptions options)
    {
        var errors = new OptionsErrors(UiOptions.Section);
        errors.Range("MaxLogLines", options.MaxLogLines, 10, 100_000);
        return errors.Result;
    }
}

/// <summary>The <c>Dashboard:Embed</c> section: who may frame the panels and read <c>/sse</c> from another origin.</summary>
public sealed class EmbedOptions
{
    public const string Section = "Dashboard:Embed";

    public const string Self = "'self'";

    /// <summary>CSP <c>frame-ancestors</c> sources (<c>'self'</c> or origins like <c>https://tools.example</c>); empty means <c>'self'</c>.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    internal IReadOnlyList<string> FrameAncestors => AllowedOrigins.Length == 0 ? [Self] : AllowedOrigins;

    /// <summary>The origins <c>/sse</c> answers with CORS headers: every allowed origin but <c>'self'</c>, which needs none.</summary>
    internal string[] CorsOrigins => AllowedOrigins.Where(o => o != Self).Select(o => o.TrimEnd('/')).ToArray();
}

public sealed class ValidateEmbedOptions : IValidateOptions<EmbedOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbedOptions options)
    {
        var errors = new OptionsErrors(EmbedOptions.Section);
        var origins = options.AllowedOrigins;
        for (var i = 0; i < origins.Length; i++)
        {
            if (OriginProblem(origins[i]) is { } problem)
            {
                errors.Add($"AllowedOrigins:{i}", $"{problem} (was '{origins[i]}').");
            }
        }

        return errors.Result;
    }

    // Exact origins only: a wildcard would be '*' with credentials on /sse, and a path has no meaning in an origin.
    private static string? OriginProblem(string origin)
    {
        if (origin == EmbedOptions.Self)
        {
            return null;
        }

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
}
