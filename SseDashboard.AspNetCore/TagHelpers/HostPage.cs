using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using SseDashboard.Fleet;
using SseDashboard.Streaming;

namespace SseDashboard.TagHelpers;

/// <summary>
/// A host page's panels share one snapshot, taken by the first tag helper that asks: every panel is painted from it,
/// and the page's one stream resumes right after it, so nothing is lost or shown twice.
/// </summary>
internal sealed class HostPage(HubSnapshot? snapshot)
{
    private static readonly object Key = new();

    /// <summary>What the panels are painted from; null when the signed-in user may not read the dashboard's stream.</summary>
    public HubSnapshot? Snapshot { get; } = snapshot;

    public static async Task<HostPage> ForAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(Key, out var existing))
        {
            return (HostPage)existing!;
        }

        var hub = context.RequestServices.GetRequiredService<EventHub>();
        var topics = hub.Topics.Where(t => t != FleetTopics.Fleet).ToArray();
        var page = new HostPage(await MayStreamAsync(context) ? await hub.SnapshotAsync(topics, null, context.RequestAborted) : null);
        context.Items[Key] = page;
        return page;
    }

    /// <summary>
    /// Whether this page's user passes what guards the dashboard's stream: its policy and the host's (a viewer on a
    /// page with panels sees none of them, as <c>/ops/sse</c> refuses them).
    /// </summary>
    private static async Task<bool> MayStreamAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var stream = services.GetRequiredService<EndpointDataSource>().Endpoints
            .FirstOrDefault(e => e.Metadata.GetMetadata<SseStreamEndpoint>() is not null)
            ?? throw new InvalidOperationException("<sse-panel> needs the dashboard mapped: call app.MapSseDashboard(...).");
        if (stream.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return true;
        }

        var policy = await AuthorizationPolicy.CombineAsync(
            services.GetRequiredService<IAuthorizationPolicyProvider>(),
            stream.Metadata.GetOrderedMetadata<IAuthorizeData>(),
            stream.Metadata.GetOrderedMetadata<AuthorizationPolicy>());
        if (policy is null)
        {
            return true;
        }

        // The user as the stream would see them: by the policy's own schemes when it names any (the dashboard's login
        // in Token mode), else the page's user. The page's own User is left as the host set it.
        var user = context.User;
        if (policy.AuthenticationSchemes.Count > 0)
        {
            user = new ClaimsPrincipal();
            foreach (var scheme in policy.AuthenticationSchemes)
            {
                if ((await context.AuthenticateAsync(scheme)).Principal is { } principal)
                {
                    user.AddIdentities(principal.Identities);
                }
            }
        }

        return (await services.GetRequiredService<IAuthorizationService>().AuthorizeAsync(user, context, policy)).Succeeded;
    }
}
