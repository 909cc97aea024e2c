using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace InternalTool;

/// <summary>The internal tool: cookie sign-in for its users, its Orders page, and the dashboard at <c>/ops</c> for admins.</summary>
public static class ToolApp
{
    public const string OpsPolicy = "ops";

    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        // The tool's own sign-in: every page needs a user, except the sign-in page.
        builder.Services.AddRazorPages(pages =>
        {
            pages.Conventions.AuthorizeFolder("/");
            pages.Conventions.AllowAnonymousToPage("/Account/Login");
        });
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.LoginPath = "/Account/Login";
            cookie.ExpireTimeSpan = builder.Configuration.GetValue("SignIn:Lifetime", TimeSpan.FromHours(8));
            cookie.SlidingExpiration = false;
            // Signed in but not allowed: a plain 403, for pages and the stream alike.
            cookie.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return context.Response.WriteAsync("Forbidden: this needs the admin role.");
            };
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(OpsPolicy, policy => policy.RequireRole("admin"));
        builder.Services.AddSingleton<ToolUsers>();

        // The dashboard: the tool's own log entries and meters in-process, and the rest; Dashboard:Auth:Mode is Host.
        builder.AddSseDashboard();

        var app = builder.Build();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        app.MapSseDashboard("/ops").RequireAuthorization(OpsPolicy);
        return app;
    }
}

/// <summary>The tool's users, from <c>Users:NAME:Password</c> and <c>Users:NAME:Role</c> (a sample: a real tool asks its directory).</summary>
public sealed class ToolUsers(IConfiguration configuration)
{
    public ClaimsPrincipal? SignIn(string? name, string? password)
    {
        var user = configuration.GetSection("Users").GetChildren()
            .FirstOrDefault(u => string.Equals(u.Key, name, StringComparison.OrdinalIgnoreCase));
        if (user is null || string.IsNullOrEmpty(password) || user["Password"] != password)
        {
            return null;
        }

        List<Claim> claims = [new(ClaimTypes.Name, user.Key)];
        if (user["Role"] is { Length: > 0 } role)
        {
            claims.Add(new Claim(ClaimTypes.Role, role));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }
}
