namespace SseDashboard.Streaming;

/// <summary>
/// One published event, rendered and SSE-framed once per format; every subscriber writes these same bytes.
/// </summary>
public sealed class SseEvent(
    long id,
    Topic? topic,
    int topicIndex,
    object? payload,
    byte[] htmlFrame,
    byte[] jsonFrame,
    long publishedAt = 0,
    string? host = null,
    int stateSlot = -1)
{
    /// <summary>A comment frame that keeps idle connections (and proxies) alive; carries no id.</summary>
    internal static readonly SseEvent Heartbeat = new(0, null, -1, null, SseFraming.HeartbeatFrame, SseFraming.HeartbeatFrame);

    public long Id { get; } = id;

    public Topic? Topic { get; } = topic;

    /// <summary>The topic's position in the hub, for per-topic slots and masks.</summary>
    internal int TopicIndex { get; } = topicIndex;

    /// <summary>The host a per-host topic's event is about; null for the clock (and resets), which every host filter passes.</summary>
    public string? Host { get; } = host;

    /// <summary>A state event's coalescing slot: one per topic and host, so one host's cpu never replaces another's.</summary>
    internal int StateSlot { get; } = stateSlot >= 0 ? stateSlot : topicIndex;

    /// <summary>The published payload, for a first paint rendered by the same template as <see cref="HtmlFrame"/>.</summary>
    public object? Payload { get; } = payload;

    /// <summary>The whole SSE frame (<c>event:</c>, <c>id:</c>, <c>data:</c> lines) carrying the HTML fragment.</summary>
    public byte[] HtmlFrame { get; } = htmlFrame;

    /// <summary>The whole SSE frame carrying the JSON payload.</summary>
    public byte[] JsonFrame { get; } = jsonFrame;

    /// <summary>When the hub published it (<see cref="TimeProvider.GetTimestamp"/>; 0 for a heartbeat), for publish-to-write latency.</summary>
    public long PublishedAt { get; } = publishedAt;

    public byte[] Frame(SseFormat format) => format == SseFormat.Json ? JsonFrame : HtmlFrame;
}
