using Microsoft.Extensions.Options;

namespace SseDashboard.Auth;

/// <summary>The <c>Dashboard:Embed</c> section: who may frame the panels and read <c>/sse</c> from another origin.</summary>
public sealed class EmbedOptions
{
    public const string Section = "Dashboard:Embed";

    /// <summary>CSP <c>frame-ancestors</c> sources (<c>'self'</c> or origins like <c>https://tools.example</c>); empty means <c>'self'</c>.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    internal IReadOnlyList<string> FrameAncestors => AllowedOrigins.Length == 0 ? [Origins.Self] : AllowedOrigins.Select(Origins.Normalize).ToArray();

    /// <summary>The origins <c>/sse</c> answers with CORS headers: every allowed origin but <c>'self'</c>, which needs none.</summary>
    internal string[] CorsOrigins => Origins.ForCors(AllowedOrigins);
}

public sealed class ValidateEmbedOptions : IValidateOptions<EmbedOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbedOptions options)
    {
        var errors = new OptionsErrors(EmbedOptions.Section);
        var origins = options.AllowedOrigins;
        for (var i = 0; i < origins.Length; i++)
        {
            if (Origins.Problem(origins[i]) is { } problem)
            {
                errors.Add($"AllowedOrigins:{i}", $"{problem} (was '{origins[i]}').");
            }
        }

        return errors.Result;
    }
}
