using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Producers;

/// <summary>The topics of the public API: SSE event names, payloads and the panels that render them.</summary>
public static class DashboardTopics
{
    public static readonly Topic<ClockSample> Clock =
        new("clock", TopicKind.State, typeof(ClockPanel), DashboardJsonContext.Default.ClockSample);
}
