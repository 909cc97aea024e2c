using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.Options;

namespace SseDashboard.Pages;

/// <summary>The <c>Dashboard:Ui</c> section: how the page behaves in the browser.</summary>
public sealed class UiOptions
{
    /// <summary>The log panel never holds more lines than this; older ones are trimmed, and counted.</summary>
    public int MaxLogLines { get; set; } = 1000;
}

/// <summary>The <c>Dashboard:Embed</c> section: who may frame the panels and read <c>/sse</c> from another origin.</summary>
public sealed class EmbedOptions
{
    public const string Self = "'self'";

    /// <summary>CSP <c>frame-ancestors</c> sources (<c>'self'</c> or origins like <c>https://tools.example</c>); empty means <c>'self'</c>.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    internal IReadOnlyList<string> FrameAncestors => AllowedOrigins.Length == 0 ? [Self] : AllowedOrigins;

    /// <summary>The origins <c>/sse</c> answers with CORS headers: every allowed origin but <c>'self'</c>, which needs none.</summary>
    internal string[] CorsOrigins => AllowedOrigins.Where(o => o != Self).Select(o => o.TrimEnd('/')).ToArray();
}

/// <summary>Checks <c>Dashboard:Ui</c> and <c>Dashboard:Embed</c>, reporting every problem at once, each naming its key.</summary>
public sealed class ValidatePagesOptions : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var errors = new List<string>();
        ValidateDashboardOptions.Range(errors, "Dashboard:Ui:MaxLogLines", options.Ui.MaxLogLines, 10, 100_000);

        var origins = options.Embed.AllowedOrigins;
        for (var i = 0; i < origins.Length; i++)
        {
            if (OriginProblem(origins[i]) is { } problem)
            {
                errors.Add($"Dashboard:Embed:AllowedOrigins:{i} {problem} (was '{origins[i]}').");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
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

public static class PagesExtensions
{
    private const string SseCorsPolicy = "sse-embed";

    public static WebApplicationBuilder AddDashboardPages(this WebApplicationBuilder builder)
    {
        // The pages live in this assembly; a host started from another entry assembly (tests) must still find them.
        var assembly = typeof(PagesExtensions).Assembly;
        builder.Services.AddRazorPages().ConfigureApplicationPartManager(parts =>
        {
            if (!parts.ApplicationParts.Any(p => p.Name == assembly.GetName().Name))
            {
                foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
                {
                    parts.ApplicationParts.Add(part);
                }
            }
        });

        builder.Services.AddSingleton<IValidateOptions<DashboardOptions>, ValidatePagesOptions>();
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<DashboardOptions>>((cors, dashboard) =>
            cors.AddPolicy(SseCorsPolicy, policy => policy
                .WithOrigins(dashboard.Value.Embed.CorsOrigins)
                .AllowCredentials()
                .WithMethods("GET")
                .WithHeaders("Last-Event-ID", "Cache-Control")));
        return builder;
    }

    public static WebApplication MapDashboardPages(this WebApplication app)
    {
        var embed = app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.Embed;
        var csp = string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            $"frame-ancestors {string.Join(' ', embed.FrameAncestors)}");

        app.Use((context, next) =>
        {
            context.Response.Headers.ContentSecurityPolicy = csp;
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers["Referrer-Policy"] = "same-origin";
            return next(context);
        });
        app.UseWhen(context => context.Request.Path == "/sse", sse => sse.UseCors(SseCorsPolicy));
        app.UseStaticFiles();
        app.MapRazorPages();
        return app;
    }
}
