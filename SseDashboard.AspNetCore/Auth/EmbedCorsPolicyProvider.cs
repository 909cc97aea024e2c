using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace SseDashboard.Auth;

/// <summary>
/// CORS for <c>/sse</c>: an embed token's own origins, otherwise <c>Dashboard:Embed:AllowedOrigins</c>. Per request,
/// since each token names its own origins.
/// </summary>
public sealed class EmbedCorsPolicyProvider(IOptions<EmbedOptions> embed) : ICorsPolicyProvider
{
    private readonly CorsPolicy _configured = Policy(embed.Value.CorsOrigins);

    public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName) =>
        Task.FromResult<CorsPolicy?>(DashboardClaims.IsEmbed(context.User)
            ? Policy(Origins.ForCors(DashboardClaims.Origins(context.User)))
            : _configured);

    private static CorsPolicy Policy(string[] origins) => new CorsPolicyBuilder()
        .WithOrigins(origins)
        .AllowCredentials()
        .WithMethods("GET")
        .WithHeaders("Last-Event-ID", "Cache-Control")
        .Build();
}
