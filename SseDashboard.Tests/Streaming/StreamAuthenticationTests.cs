using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Streaming;

/// <summary>What a granted stream lets go of: the framework's authentication, run as its middleware runs it.</summary>
public sealed class StreamAuthenticationTests
{
    [Fact]
    public async Task Release_DropsTheHandlersAndTheirResult_KeepsTheUser_AndAuthenticatesAfreshWhenAsked()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAuthentication("test").AddScheme<AuthenticationSchemeOptions, CountingHandler>("test", null);
        StreamAuthentication.Register(services);
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        var middleware = new AuthenticationMiddleware(_ => Task.CompletedTask, provider.GetRequiredService<IAuthenticationSchemeProvider>());
        await middleware.Invoke(context);
        var handlers = scope.ServiceProvider.GetRequiredService<IAuthenticationHandlerProvider>();
        var handler = await handlers.GetHandlerAsync(context, "test");
        Assert.NotNull(context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult);

        StreamAuthentication.Release(context);

        Assert.Null(context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult);
        Assert.Equal("alice", context.User.Identity?.Name);
        Assert.NotSame(handler, await handlers.GetHandlerAsync(context, "test"));
        Assert.True((await context.AuthenticateAsync("test")).Succeeded);
        Assert.Equal(2, CountingHandler.Authentications(context));
    }

    [Fact]
    public void Register_LeavesAHostsOwnProvider_AndAnAppWithoutAuthenticationValidates()
    {
        var host = new ServiceCollection().AddLogging();
        host.AddAuthentication();
        host.AddScoped<IAuthenticationHandlerProvider, HostProvider>();
        StreamAuthentication.Register(host);
        Assert.Equal(typeof(HostProvider), host.Last(d => d.ServiceType == typeof(IAuthenticationHandlerProvider)).ImplementationType);

        // As Development validates a host's services: a factory, which no scheme provider is asked of until a stream is granted.
        var bare = new ServiceCollection();
        StreamAuthentication.Register(bare);
        using var provider = bare.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Assert.Single(bare, d => d.ServiceType == typeof(IAuthenticationHandlerProvider));
    }

    private sealed class HostProvider : IAuthenticationHandlerProvider
    {
        public Task<IAuthenticationHandler?> GetHandlerAsync(HttpContext context, string authenticationScheme) => Task.FromResult<IAuthenticationHandler?>(null);
    }

    private sealed class CountingHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public static int Authentications(HttpContext context) => context.Items["authentications"] as int? ?? 0;

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            Context.Items["authentications"] = Authentications(Context) + 1;
            var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice")], Scheme.Name));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
        }
    }
}
