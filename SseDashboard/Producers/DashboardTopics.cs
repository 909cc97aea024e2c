using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Producers;

/// <summary>The topics of the public API: SSE event names, payloads and the panels that render them.</summary>
public static class DashboardTopics
{
    public static readonly Topic<ClockSample> Clock =
        new("clock", TopicKind.State, typeof(ClockPanel), DashboardJsonContext.Api.ClockSample);

    public static readonly Topic<CpuSample> Cpu =
        new("cpu", TopicKind.State, typeof(CpuPanel), DashboardJsonContext.Api.CpuSample);

    public static readonly Topic<MemorySample> Memory =
        new("memory", TopicKind.State, typeof(MemoryPanel), DashboardJsonContext.Api.MemorySample);

    public static readonly Topic<LogBatch> Log =
        new("log", TopicKind.Stream, typeof(LogPanel), DashboardJsonContext.Api.LogBatch, LogBatch.Reset);
}
