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
        var embed = app.Services.GetRequiredService<IOptions<EmbedOptions>>().Value;
        var policy = string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'");
        var configured = $"{policy}; frame-ancestors {string.Join(' ', embed.FrameAncestors)}";

        app.Use((context, next) =>
        {
            // Decided as the response starts, once authentication has said whether an embed token (with its own origins) asked.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = DashboardClaims.IsEmbed(context.User)
                    ? $"{policy}; frame-ancestors {string.Join(' ', EmbedFrameAncestors(context))}"
                    : configured;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });
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

    // An embed token with no origins may still be opened on its own, and framed by the dashboard itself.
    private static string[] EmbedFrameAncestors(HttpContext context) =>
        DashboardClaims.Origins(context.User) is { Length: > 0 } origins ? origins : [Origins.Self];
}
