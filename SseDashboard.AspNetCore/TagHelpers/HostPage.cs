using SseDashboard.Fleet;
using SseDashboard.Streaming;

namespace SseDashboard.TagHelpers;

/// <summary>
/// A host page's panels share one snapshot, taken by the first tag helper that asks: every panel is painted from it,
/// and the page's one stream resumes right after it, so nothing is lost or shown twice.
/// </summary>
internal sealed class HostPage(HubSnapshot snapshot)
{
    private static readonly object Key = new();

    public HubSnapshot Snapshot { get; } = snapshot;

    public static async Task<HostPage> ForAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(Key, out var existing))
        {
            return (HostPage)existing!;
        }

        var hub = context.RequestServices.GetRequiredService<EventHub>();
        var topics = hub.Topics.Where(t => t != FleetTopics.Fleet).ToArray();
        var page = new HostPage(await hub.SnapshotAsync(topics, null, context.RequestAborted));
        context.Items[Key] = page;
        return page;
    }
}
