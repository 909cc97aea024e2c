using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SseDashboard.Streaming;

/// <summary>
/// The framework's authentication handler provider, which lets a stream have its request forget its handlers once it
/// is granted. Each handler keeps what it found (the result, its ticket and properties) for the request's life:
/// seconds for a page, hours for a stream, and a stream has thousands of siblings. The request keeps its user.
/// </summary>
internal sealed class StreamAuthentication(IAuthenticationSchemeProvider schemes) : IAuthenticationHandlerProvider
{
    private AuthenticationHandlerProvider? _handlers;

    public Task<IAuthenticationHandler?> GetHandlerAsync(HttpContext context, string authenticationScheme) =>
        (_handlers ??= new AuthenticationHandlerProvider(schemes)).GetHandlerAsync(context, authenticationScheme);

    /// <summary>
    /// In place of the framework's provider (AddAuthentication, before or after this, keeps it), never of a host's own.
    /// Made by a factory: an app without authentication has no scheme provider, and never asks for handlers.
    /// </summary>
    public static void Register(IServiceCollection services)
    {
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(IAuthenticationHandlerProvider));
        if (existing is null || existing.ImplementationType == typeof(AuthenticationHandlerProvider))
        {
            services.Replace(ServiceDescriptor.Scoped<IAuthenticationHandlerProvider>(
                sp => new StreamAuthentication(sp.GetRequiredService<IAuthenticationSchemeProvider>())));
        }
    }

    /// <summary>
    /// Lets go of what authenticating <paramref name="context"/> left behind: its handlers (a later authentication
    /// starts afresh) and the result its features keep (setting the user clears it), not the user.
    /// </summary>
    public static void Release(HttpContext context)
    {
        var services = context.RequestServices;
        if (services.GetService<IAuthenticationSchemeProvider>() is not null
            && services.GetService<IAuthenticationHandlerProvider>() is StreamAuthentication provider)
        {
            provider._handlers = null;
        }

        if (context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is not null)
        {
            context.User = context.User;
        }
    }
}
