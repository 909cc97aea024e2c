namespace SseDashboard.Streaming;

/// <summary>
/// One published event, rendered and SSE-encoded once per format; every subscriber writes these same bytes.
/// </summary>
public sealed class SseEvent(long id, Topic? topic, int topicIndex, byte[] html, byte[] json)
{
    /// <summary>A comment frame that keeps idle connections (and proxies) alive; carries no id.</summary>
    internal static readonly SseEvent Heartbeat = new(0, null, -1, SseFraming.HeartbeatFrame, SseFraming.HeartbeatFrame);

    public long Id { get; } = id;

    public Topic? Topic { get; } = topic;

    internal int TopicIndex { get; } = topicIndex;

    public byte[] Html { get; } = html;

    public byte[] Json { get; } = json;

    public byte[] Frame(SseFormat format) => format == SseFormat.Json ? Json : Html;
}
