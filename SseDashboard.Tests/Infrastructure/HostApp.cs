using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>
/// A fresh ASP.NET Core app that uses the dashboard as a host would, on Kestrel at 127.0.0.1:0: its own cookie
/// sign-in (<c>GET /signin/{role}</c> signs in as that role, <c>none</c> for no role), its own home page and JSON,
/// policy <c>ops</c> (role admin), and whatever the test maps. Its own temp directory is the dashboard's data path.
/// </summary>
public sealed class HostApp : RunningApp
{
    private HostApp(WebApplication app, TempDirectory directory)
        : base(app, directory)
    {
    }

    /// <summary>A client signed in through the host's own cookie as <paramref name="role"/>.</summary>
    public async Task<HttpClient> SignedInAsync(string role)
    {
        var client = NewClient();
        using var response = await client.GetAsync($"/signin/{role}", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return client;
    }

    /// <param name="map">What the test maps (default: <c>MapSseDashboard("/ops").RequireAuthorization("ops")</c>).</param>
    public static async Task<HostApp> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<SseDashboardOptions>? dashboard = null,
        Action<WebApplication>? map = null,
        TimeSpan? cookieLifetime = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var directory = new TempDirectory();
        return await StartAsync(directory, () =>
        {
            // A web app's name whose build lists the library's static web assets (the standalone app, which has no pages of its own).
            var builder = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--environment=Testing", "--applicationName=SseDashboard"]);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Dashboard:DataPath"] = Path.Combine(directory.Path, "data"),
                ["Dashboard:LogTail:Paths:0"] = Path.Combine(directory.Path, "absent-*.log"),
                ["Dashboard:Clock:Interval"] = "01:00:00",
                ["Dashboard:Metrics:Interval"] = "01:00:00",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            configure?.Invoke(builder);
            // Its one scheme, so its default without naming it (as `AddAuthentication().AddCookie()` leaves it).
            builder.Services.AddAuthentication().AddCookie(cookie =>
            {
                cookie.LoginPath = "/host-login";
                cookie.ExpireTimeSpan = cookieLifetime ?? TimeSpan.FromHours(1);
                cookie.SlidingExpiration = false;
                cookie.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
            builder.Services.AddAuthorizationBuilder().AddPolicy("ops", policy => policy.RequireRole("admin"));
            builder.AddSseDashboard(dashboard);

            var app = builder.Build();
            app.MapGet("/", () => "host home");
            app.MapGet("/host-time", () => new { at = new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero) });
            app.MapGet("/signin/{role}", async (HttpContext context, string role) =>
            {
                List<Claim> claims = [new(ClaimTypes.Name, role)];
                if (role != "none")
                {
                    claims.Add(new Claim(ClaimTypes.Role, role));
                }

                await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
                return Results.Ok();
            });
            if (map is null)
            {
                app.MapSseDashboard("/ops").RequireAuthorization("ops");
            }
            else
            {
                map(app);
            }

            return app;
        }, app => new HostApp(app, directory));
    }
}
