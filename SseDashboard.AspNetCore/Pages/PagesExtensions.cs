using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.Options;
using SseDashboard.Auth;

namespace SseDashboard.Pages;

public static class PagesExtensions
{
    public static WebApplicationBuilder AddPages(this WebApplicationBuilder builder)
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

        builder.Services.AddValidatedOptions<UiOptions, ValidateUiOptions>(UiOptions.Section);
        return builder;
    }

    /// <summary>Security headers on every response, and the front-end files (open to all: the login page needs them).</summary>
    public static WebApplication UsePages(this WebApplication app)
    {
        // An embed token's page replaces frame-ancestors with the token's origins (DashboardPageModel).
        var configured = ContentSecurityPolicy(app.Services.GetRequiredService<IOptions<EmbedOptions>>().Value.FrameAncestors);
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = configured;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return next(context);
        });
        app.UseStaticFiles();
        return app;
    }

    public static WebApplication MapPages(this WebApplication app)
    {
        app.MapRazorPages();
        return app;
    }

    /// <summary>The pages' CSP: only this server's own files, no inline script, framed by <paramref name="frameAncestors"/>.</summary>
    public static string ContentSecurityPolicy(IEnumerable<string> frameAncestors) => string.Join("; ",
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        $"frame-ancestors {string.Join(' ', frameAncestors)}");
}
