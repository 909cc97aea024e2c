using Microsoft.AspNetCore.Mvc.Abstractions;

namespace SseDashboard.Mount;

/// <summary>
/// Every dashboard endpoint as one builder: its route group, and its pages out of the app's one page data source.
/// A convention added here (<c>RequireAuthorization("ops")</c>) reaches the dashboard's pages, never the host's.
/// </summary>
internal sealed class DashboardEndpointConventionBuilder(IEndpointConventionBuilder group, IEndpointConventionBuilder pages)
    : IEndpointConventionBuilder
{
    public void Add(Action<EndpointBuilder> convention)
    {
        group.Add(convention);
        pages.Add(builder =>
        {
            if (IsDashboardPage(builder))
            {
                convention(builder);
            }
        });
    }

    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        group.Finally(finallyConvention);
        pages.Finally(builder =>
        {
            if (IsDashboardPage(builder))
            {
                finallyConvention(builder);
            }
        });
    }

    /// <summary>Adds to the dashboard's pages only (their request delegate, which a route group's endpoints build later).</summary>
    public void AddToPages(Action<EndpointBuilder> convention) =>
        pages.Add(builder =>
        {
            if (IsDashboardPage(builder))
            {
                convention(builder);
            }
        });

    internal static bool IsDashboardPage(EndpointBuilder builder) =>
        builder.Metadata.OfType<ActionDescriptor>().Any(a =>
            a.RouteValues.TryGetValue("area", out var area) && string.Equals(area, DashboardMount.Area, StringComparison.OrdinalIgnoreCase));
}
