using Microsoft.AspNetCore.Authorization;
using SseDashboard.Mount;

namespace SseDashboard.Auth;

/// <summary>The authorization policy every dashboard endpoint carries (<c>MapSseDashboard</c> adds it).</summary>
public static class DashboardPolicy
{
    public const string Name = "SseDashboard";

    /// <summary>
    /// Token, Proxy, None and OpenIdConnect: the dashboard's own schemes say who it is; an embed token reaches its
    /// panels' page and stream only; a provider's user must be among the allowed users or groups.
    /// </summary>
    public static AuthorizationPolicy Dashboard { get; } = new AuthorizationPolicyBuilder(AuthSchemes.Dashboard)
        .RequireAuthenticatedUser()
        .RequireAssertion(context => !DashboardClaims.IsEmbed(context.User) || (context.Resource is HttpContext http && EmbedReaches(http)))
        .RequireAssertion(context => context.Resource is not HttpContext http || OpenIdConnectLogin.Allows(http, context.User))
        .Build();

    /// <summary>Host: whoever the host's own sign-in says; the host's policy on <c>MapSseDashboard</c> says who may look.</summary>
    public static AuthorizationPolicy Host { get; } = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();

    private static bool EmbedReaches(HttpContext context) =>
        context.RequestServices.GetRequiredService<DashboardMount>().Contains(context.Request.Path, out var path)
        && (path == "/sse" || path.StartsWithSegments("/panels"));
}
