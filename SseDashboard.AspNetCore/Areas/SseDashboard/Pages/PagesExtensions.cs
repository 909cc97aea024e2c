using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using SseDashboard.Auth;
using SseDashboard.Mount;

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

        // In an area of their own, so a host's Pages (its Index, its _Layout) and ours never meet; routed below the mount.
        // After AddRazorPages: its own setup replaces the conventions collection.
        builder.Services.AddOptions<RazorPagesOptions>().Configure<DashboardMount>((pages, mount) =>
            pages.Conventions.AddAreaFolderRouteModelConvention(DashboardMount.Area, "/", mount.Apply));

        builder.Services.AddValidatedOptions<UiOptions, ValidateUiOptions>(UiOptions.Section);
        return builder;
    }

    /// <summary>The standalone app's security headers on every response, found or not (the pages set their own in a host).</summary>
    public static WebApplication UsePages(this WebApplication app)
    {
        // An embed token's page replaces frame-ancestors with the token's origins (DashboardPageModel).
        var configured = ContentSecurityPolicy(
            app.Services.GetRequiredService<IOptions<EmbedOptions>>().Value.FrameAncestors, FormActions(app.Services.GetRequiredService<IOptions<AuthOptions>>().Value));
        app.Use((context, next) =>
        {
            AddSecurityHeaders(context.Response, configured);
            return next(context);
        });
        return app;
    }

    public static void AddSecurityHeaders(HttpResponse response, string contentSecurityPolicy)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = contentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
    }

    /// <summary>
    /// Where the pages' forms may lead: this server, and with an OpenID provider, the provider too (logging out ends
    /// the session there: the logout form's answer redirects to it).
    /// </summary>
    public static IEnumerable<string> FormActions(AuthOptions auth) =>
        auth.Mode == AuthMode.OpenIdConnect && Uri.TryCreate(auth.OpenIdConnect.Authority, UriKind.Absolute, out var provider)
            ? [Origins.Self, provider.GetLeftPart(UriPartial.Authority)]
            : [Origins.Self];

    /// <summary>
    /// The pages' CSP: only this server's own files, no inline script, framed by <paramref name="frameAncestors"/>,
    /// forms leading to <paramref name="formActions"/> (this server alone by default).
    /// </summary>
    public static string ContentSecurityPolicy(IEnumerable<string> frameAncestors, IEnumerable<string>? formActions = null) => string.Join("; ",
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        $"form-action {string.Join(' ', formActions ?? [Origins.Self])}",
        $"frame-ancestors {string.Join(' ', frameAncestors)}");
}
