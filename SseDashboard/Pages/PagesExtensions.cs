using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.Options;

namespace SseDashboard.Pages;

public static class PagesExtensions
{
    private const string SseCorsPolicy = "sse-embed";

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
        builder.Services.AddValidatedOptions<EmbedOptions, ValidateEmbedOptions>(EmbedOptions.Section);
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<EmbedOptions>>((cors, embed) =>
            cors.AddPolicy(SseCorsPolicy, policy => policy
                .WithOrigins(embed.Value.CorsOrigins)
                .AllowCredentials()
                .WithMethods("GET")
                .WithHeaders("Last-Event-ID", "Cache-Control")));
        return builder;
    }

    public static WebApplication MapPages(this WebApplication app)
    {
        var embed = app.Services.GetRequiredService<IOptions<EmbedOptions>>().Value;
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
