using SseDashboard.Streaming;

namespace SseDashboard.Tests.Infrastructure;

public static class HubQueries
{
    /// <summary>The newest retained event of <paramref name="topic"/>, read the way a page reads it (a hub snapshot).</summary>
    public static async Task<SseEvent?> NewestAsync(this EventHub hub, Topic topic) =>
        (await hub.SnapshotAsync([topic], cancellationToken: TestContext.Current.CancellationToken)).Events[topic.Name].LastOrDefault();
}
