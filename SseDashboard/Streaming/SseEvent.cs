namespace SseDashboard.Streaming;

/// <summary>
/// One published event, rendered and SSE-encoded once per format; every subscriber writes these same bytes.
/// </summary>
public sealed class SseEvent(long id, Topic? topic, int topicIndex, object? payload, byte[] html, byte[] json)
{
    /// <summary>A comment frame that keeps idle connections (and proxies) alive; carries no id.</summary>
    internal static readonly SseEvent Heartbeat = new(0, null, -1, null, SseFraming.HeartbeatFrame, SseFraming.HeartbeatFrame);

    public long Id { get; } = id;

    public Topic? Topic { get; } = topic;

    internal int TopicIndex { get; } = topicIndex;

    /// <summary>The published payload, for server-side first paint with the same panel that rendered <see cref="Html"/>.</summary>
    public object? Payload { get; } = payload;

    public byte[] Html { get; } = html;

    public byte[] Json { get; } = json;

    public byte[] Frame(SseFormat format) => format == SseFormat.Json ? Json : Html;
}
