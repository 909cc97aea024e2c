using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SseDashboard.History;
using SseDashboard.Mount;
using SseDashboard.Streaming;

namespace SseDashboard.Auth;

public static partial class AuthExtensions
{
    public const string CookieName = "SseDashboard.Session";

    /// <summary>
    /// <c>Dashboard:Auth</c>, <c>Dashboard:Embed</c> and <c>Dashboard:DataPath</c>: the login token, sessions, proxy
    /// users, embed tokens (signed with Data Protection keys kept under the data path), and who may stream what.
    /// </summary>
    public static WebApplicationBuilder AddDashboardAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<AuthOptions, ValidateAuthOptions>(AuthOptions.Section);
        services.AddValidatedOptions<EmbedOptions, ValidateEmbedOptions>(EmbedOptions.Section);
        services.AddValidatedOptions<DataOptions, ValidateDataOptions>(DataOptions.Section);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<LoginToken>();
        services.AddSingleton<FailedLogins>();
        services.AddSingleton<AccessWatch>();
        AddAccessStore(builder);
        services.AddSingleton<EmbedTokens>();
        services.AddSingleton<SessionLogin>();
        services.Replace(ServiceDescriptor.Singleton<IStreamAccess, DashboardStreamAccess>());

        // Every dashboard endpoint needs a signed-in user unless it says otherwise; an embed token reaches only its
        // panels' page and stream. In Host mode the host's sign-in says who that is, and its own policy who may look.
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<AuthOptions>>((authorization, auth) =>
            authorization.AddPolicy(DashboardPolicy.Name, auth.Value.Mode == AuthMode.Host ? DashboardPolicy.Host : DashboardPolicy.Dashboard));

        // In Host mode the dashboard has no scheme of its own: a host relying on its one scheme being the default keeps it.
        if (builder.Configuration.GetValue(AuthOptions.Section + ":Mode", AuthMode.Host) == AuthMode.Host)
        {
            services.AddAuthorization();
            return builder;
        }

        // The dashboard's own schemes, which its policy names: a host's default scheme stays the host's.
        var authentication = services.AddAuthentication()
            .AddPolicyScheme(AuthSchemes.Dashboard, null, o => o.ForwardDefaultSelector = AuthSchemes.Select)
            .AddCookie(AuthSchemes.Session)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerTokenHandler>(AuthSchemes.Bearer, null)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ProxyUserHandler>(AuthSchemes.Proxy, null)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, EmbedTokenHandler>(AuthSchemes.Embed, null)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, OpenHandler>(AuthSchemes.Open, null);
        if (builder.Configuration.GetValue(AuthOptions.Section + ":Mode", AuthMode.Host) == AuthMode.OpenIdConnect)
        {
            authentication.AddOpenIdConnectLogin();
        }

        services.AddOptions<CookieAuthenticationOptions>(AuthSchemes.Session).Configure<IOptions<AuthOptions>, DashboardMount>((cookie, auth, mount) =>
        {
            var openIdConnect = auth.Value.Mode == AuthMode.OpenIdConnect;
            cookie.Cookie.Name = CookieName;
            cookie.Cookie.HttpOnly = true;
            // Lax with a provider: its redirect back begins on the provider's site, and a Strict cookie set at the end
            // of it would not go with the next page. Forms carry antiforgery tokens either way.
            cookie.Cookie.SameSite = openIdConnect ? SameSiteMode.Lax : SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = auth.Value.SessionLifetime;
            cookie.SlidingExpiration = false;
            cookie.LoginPath = mount.Path.Add("/login");
            cookie.AccessDeniedPath = mount.Path.Add("/denied");
            cookie.Events.OnRedirectToLogin = context => AuthSchemes.IsApi(context.Request)
                ? !context.HttpContext.RequestServices.GetRequiredService<AccessStore>().IsCurrent
                    ? AuthSchemes.UnavailableAsync(context.HttpContext, AuthSchemes.AccessListDown)
                    : AuthSchemes.UnauthorizedAsync(context.HttpContext, openIdConnect
                    ? "Sign in first, or send Authorization: Bearer <JWT> issued by the OpenID provider."
                    : "Log in first: open the login link, or send Authorization: Bearer <token>.")
                : openIdConnect
                    ? OpenIdConnectLogin.ChallengeAsync(context.HttpContext, context.Properties.RedirectUri)
                    : RedirectAsync(context.HttpContext, context.RedirectUri);
            // The login page answers for itself (a redirect, or a page that moves on): the handler's own redirect
            // to ReturnUrl on sign-in would take that choice away.
            cookie.Events.OnRedirectToReturnUrl = _ => Task.CompletedTask;
            // A provider's user outside the allowed ones gets a page saying so, with a way to sign out.
            cookie.Events.OnRedirectToAccessDenied = context => openIdConnect && !AuthSchemes.IsApi(context.Request)
                ? RedirectAsync(context.HttpContext, context.RedirectUri)
                : AuthSchemes.ForbiddenAsync(context.HttpContext, "Not allowed.");
            cookie.Events.OnValidatePrincipal = context =>
            {
                // Refused, not signed out, while the access list cannot be read: the cookie works again once it can.
                var services = context.HttpContext.RequestServices;
                if (context.Principal is not { } user
                    || !MadeByThisLogin(user, auth.Value, services)
                    || (DashboardClaims.Lease(user) is var (sessionId, _) && services.GetRequiredService<AccessStore>().Session(sessionId) != AccessCheck.Allowed))
                {
                    context.RejectPrincipal();
                }

                return Task.CompletedTask;
            };
        });

        return builder;
    }

    // A session from another login (the token since changed, another mode, another provider) has ended.
    private static bool MadeByThisLogin(System.Security.Claims.ClaimsPrincipal user, AuthOptions auth, IServiceProvider services) => auth.Mode switch
    {
        AuthMode.Token => user.FindFirst(DashboardClaims.LoginToken)?.Value == services.GetRequiredService<LoginToken>().Fingerprint,
        AuthMode.OpenIdConnect => user.FindFirst(DashboardClaims.IdentityProvider)?.Value == auth.OpenIdConnect.Authority,
        _ => false,
    };

    // With a PostgreSQL store (a fleet), in the store, shared by every node and heard of at once; otherwise this node's
    // file under the data path. In Host mode there are no sessions or embed tokens of the dashboard's own to list.
    private static void AddAccessStore(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        if (UsesPostgres(builder) && builder.Configuration.GetValue(AuthOptions.Section + ":Mode", AuthMode.Host) != AuthMode.Host)
        {
            services.AddSingleton<PostgresAccessStore>();
            services.AddSingleton<AccessStore>(sp => sp.GetRequiredService<PostgresAccessStore>());
            services.AddHostedService<PostgresAccessListener>();
        }
        else
        {
            services.AddSingleton<AccessStore, FileAccessStore>();
        }
    }

    private static bool UsesPostgres(WebApplicationBuilder builder) =>
        builder.Configuration.GetValue(HistoryOptions.Section + ":Provider", StoreProvider.Sqlite) == StoreProvider.Postgres;

    /// <summary>
    /// What the standalone app, which owns its whole server, adds around the dashboard: Data Protection keys (in a
    /// fleet's PostgreSQL store, else under the data path: sessions and embed tokens survive a restart), the dashboard's
    /// scheme as the default, CORS for cross-origin embeds, and forwarded headers from <c>Dashboard:Auth:Proxy:Networks</c>.
    /// </summary>
    public static WebApplicationBuilder AddStandaloneAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddDataProtection().SetApplicationName("SseDashboard");
        if (UsesPostgres(builder))
        {
            services.AddOptions<KeyManagementOptions>().Configure<HistoryStore>((keys, store) => keys.XmlRepository = new PostgresXmlRepository(store));
        }
        else
        {
            services.AddOptions<KeyManagementOptions>().Configure<IOptions<DataOptions>, ILoggerFactory>((keys, data, logs) =>
                keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(data.Value.Resolve("keys")), logs));
        }

        services.AddAuthentication(AuthSchemes.Dashboard);
        services.AddCors();
        services.AddSingleton<ICorsPolicyProvider, EmbedCorsPolicyProvider>();

        // Behind a trusted proxy: the client's address (for throttling) and scheme (for a Secure cookie) as it says.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<AuthOptions>>((forwarded, auth) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in auth.Value.Proxy.Networks)
            {
                forwarded.KnownIPNetworks.Add(network);
            }
        });
        return builder;
    }

    /// <summary>Who the request is, CORS for <c>/sse</c> (after: it depends on the embed token), then whether it may proceed.</summary>
    public static WebApplication UseDashboardAuth(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseAuthentication();
        var mount = app.Services.GetRequiredService<DashboardMount>();
        app.UseWhen(context => mount.Contains(context.Request.Path, out var rest) && rest == "/sse", sse => sse.UseCors());
        app.UseAuthorization();
        return app;
    }

    /// <summary><c>POST /logout</c>, <c>/api/embed-tokens</c>, and at start the login link (or the warning that anyone may look).</summary>
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        // A bad access file stops start-up here rather than at the first request.
        var services = app.ServiceProvider;
        services.GetRequiredService<AccessStore>();

        // In Host mode the host signs in and out, and its sign-in guards every endpoint: an embed token could not
        // pass it, so none is made.
        if (services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthMode.Host)
        {
            return app;
        }

        app.MapLogout();
        app.MapEmbedTokens();

        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => AnnounceLogin(services));
        return app;
    }

    private static Task RedirectAsync(HttpContext context, string uri)
    {
        context.Response.Redirect(uri);
        return Task.CompletedTask;
    }

    private static void AnnounceLogin(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("SseDashboard.Auth");
        var auth = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var address = LoginAddress(services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            + services.GetRequiredService<DashboardMount>().Path;
        switch (auth.Mode)
        {
            case AuthMode.None:
                LogOpen(logger);
                break;
            case AuthMode.Proxy:
                LogProxy(logger, auth.Proxy.UserHeader, string.Join(", ", auth.Proxy.TrustedNetworks.Length > 0 ? auth.Proxy.TrustedNetworks : ProxyAuthOptions.DefaultTrustedNetworks));
                break;
            case AuthMode.OpenIdConnect:
                LogOpenIdConnect(logger, auth.OpenIdConnect.Authority!, $"{address}/");
                break;
            case AuthMode.Token when services.GetRequiredService<LoginToken>() is { IsRandom: true } token:
                // Straight to the console, never to the log: the log is tailed onto the dashboard and into embeds.
                Console.Out.WriteLine($"Login: {address}/login?t={token.Value}");
                Console.Out.Flush();
                break;
            default:
                LogTokenLogin(logger, $"{address}/login");
                break;
        }
    }

    /// <summary>The first address the server listens on, with a wildcard host made loopback so the link opens as printed.</summary>
    private static string LoginAddress(ICollection<string> addresses)
    {
        var first = addresses.FirstOrDefault() ?? "http://127.0.0.1:5000";
        var uri = new Uri(first.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal));
        var host = uri.Host is "0.0.0.0" or "[::]" or "::" or "localhost" ? "127.0.0.1" : uri.Host;
        return $"{uri.Scheme}://{(host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host)}:{uri.Port}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard:Auth:Mode is None: anyone who can reach this server sees every panel and log line")]
    private static partial void LogOpen(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy login: the user is {Header} on requests from {Networks}")]
    private static partial void LogProxy(ILogger logger, string header, string networks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sign-in with OpenID Connect at {Authority}: {Url}")]
    private static partial void LogOpenIdConnect(ILogger logger, string authority, string url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Login: {LoginUrl} with the token in Dashboard:Auth:Token")]
    private static partial void LogTokenLogin(ILogger logger, string loginUrl);
}
