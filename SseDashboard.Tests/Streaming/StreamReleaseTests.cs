using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using SseDashboard.Tests.Infrastructure;

namespace SseDashboard.Tests.Streaming;

/// <summary>
/// What a granted stream's request lets go of while the stream stays open: its service scope (the standalone app's
/// default, <c>Dashboard:Sse:ReleaseRequestServices</c> in a host) and its parsed query.
/// </summary>
public sealed class StreamReleaseTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task StandaloneApp_DisposesTheStreamsServiceScopeOnceGranted_AndTheRequestGetsAFreshOneAfter()
    {
        var scopes = new ScopeProbe();
        await using var server = await DashboardServer.StartAsync(configure: b => scopes.Register(b.Services));

        await using (var sse = await SseClient.ConnectAsync(server.Client, "/sse?topics=clock&format=json"))
        {
            await sse.NextAsync();
            var first = Assert.Single(scopes.Resolved);
            Assert.True(first.Disposed, "the scope is disposed before the stream's first write");
            Assert.Equal("clock", (await sse.NextAsync()).EventType);
        }

        // The middleware asks the request for its services again once the stream ended: a new scope, itself disposed.
        await Eventually.TrueAsync(() => scopes.Resolved.Count == 2 && scopes.Resolved[1].Disposed, Timeout, "a fresh scope after the stream, disposed");
        Assert.True(scopes.QueryUnparsed, "the stream's query was parsed aside, not kept by the request");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task InAHost_TheStreamsServiceScopeLivesAsLongAsTheStream_UnlessReleaseRequestServices(bool release)
    {
        var scopes = new ScopeProbe();
        await using var host = await HostApp.StartAsync(
            new Dictionary<string, string?> { ["Dashboard:Sse:ReleaseRequestServices"] = release.ToString() },
            configure: b => scopes.Register(b.Services));
        using var admin = await host.SignedInAsync("admin");

        await using (var sse = await SseClient.ConnectAsync(admin, "/ops/sse?topics=clock&format=json"))
        {
            await sse.NextAsync();
            Assert.Equal(release, Assert.Single(scopes.Resolved).Disposed);
        }

        // Released, a second scope answers the middleware after the stream; kept, the stream's own scope does.
        await Eventually.TrueAsync(
            () => scopes.Resolved is { Count: > 0 } resolved && resolved.Count == (release ? 2 : 1) && resolved[^1].Disposed,
            Timeout,
            "the request's last scope disposed at its end");
    }

    /// <summary>A scoped service that middleware in front of everything resolves on <c>/sse</c>, before and after the stream.</summary>
    private sealed class ScopeProbe : IStartupFilter
    {
        private readonly LockedList<Scoped> _resolved = new();

        public IReadOnlyList<Scoped> Resolved => _resolved.Snapshot();

        public bool QueryUnparsed { get; private set; }

        public void Register(IServiceCollection services)
        {
            services.AddScoped(_ =>
            {
                var scoped = new Scoped();
                _resolved.Add(scoped);
                return scoped;
            });
            services.AddSingleton<IStartupFilter>(this);
        }

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (!context.Request.Path.Value!.EndsWith("/sse", StringComparison.Ordinal))
                {
                    await nextMiddleware(context);
                    return;
                }

                context.RequestServices.GetRequiredService<Scoped>();
                await nextMiddleware(context);
                QueryUnparsed = context.Features.Get<IQueryFeature>() is null;
                context.RequestServices.GetRequiredService<Scoped>();
            });
            next(app);
        };
    }

    private sealed class Scoped : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
