using Microsoft.Extensions.Options;
using SseDashboard.Auth;
using SseDashboard.Pages;

namespace SseDashboard.Mount;

/// <summary>How the dashboard's pages and front-end files run below the mount path.</summary>
public static class MountedEndpoints
{
    /// <summary>The front-end files, as the class library's static web assets are named: <c>{mount}/_content/SseDashboard.AspNetCore/…</c>.</summary>
    public const string AssetsPath = "/_content/SseDashboard.AspNetCore";

    /// <summary>
    /// A page runs as if mapped in a branch at the mount path (as <c>app.Map("/ops", …)</c> does): the path base gains
    /// it, so every <c>~/</c> URL the page writes is below it. It also gets the dashboard's security headers.
    /// </summary>
    internal static Action<EndpointBuilder> PagesConvention(DashboardMount mount, EmbedOptions embed, AuthOptions auth)
    {
        var policy = PagesExtensions.ContentSecurityPolicy(embed.FrameAncestors, PagesExtensions.FormActions(auth));
        return builder =>
        {
            if (builder.RequestDelegate is not { } page)
            {
                return;
            }

            builder.RequestDelegate = async context =>
            {
                PagesExtensions.AddSecurityHeaders(context.Response, policy);
                var request = context.Request;
                var (pathBase, path) = (request.PathBase, request.Path);
                if (mount.Path.HasValue && mount.Contains(path, out var rest))
                {
                    request.PathBase = pathBase.Add(mount.Path);
                    request.Path = rest;
                }

                try
                {
                    await page(context);
                }
                finally
                {
                    (request.PathBase, request.Path) = (pathBase, path);
                }
            };
        };
    }

    /// <summary>
    /// The front-end files below the mount, served by the framework's static files from the web root (where a build's
    /// or a published app's static web assets are). Open to all unless the host's own sign-in guards the dashboard: the
    /// login page needs them.
    /// </summary>
    /// <param name="mountPath">Where the group that <paramref name="endpoints"/> is sits (the requests' paths start with it).</param>
    public static IEndpointConventionBuilder MapAssets(this IEndpointRouteBuilder endpoints, PathString mountPath)
    {
        var services = endpoints.ServiceProvider;
        var files = endpoints.CreateApplicationBuilder()
            .Use((context, next) =>
            {
                // Static files step aside for a request that already has an endpoint: this one is theirs.
                context.SetEndpoint(null);
                return next(context);
            })
            .UseStaticFiles(new StaticFileOptions
            {
                FileProvider = services.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider,
                RequestPath = mountPath,
                OnPrepareResponse = file => file.Context.Response.Headers.XContentTypeOptions = "nosniff",
            })
            .Build();
        var assets = endpoints.MapMethods(AssetsPath + "/{**file}", [HttpMethods.Get, HttpMethods.Head], files);
        if (services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode != AuthMode.Host)
        {
            assets.AllowAnonymous();
        }

        return assets;
    }
}
