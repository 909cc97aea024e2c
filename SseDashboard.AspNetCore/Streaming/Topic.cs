using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SseDashboard.Streaming;

public enum TopicKind
{
    /// <summary>Only the newest value matters (clock, cpu, memory): lagging subscribers get just the newest.</summary>
    State,

    /// <summary>Every item matters, in order (log): replayed from a ring buffer, never coalesced.</summary>
    Stream,
}

public enum SseFormat
{
    Html,
    Json,
}

/// <summary>
/// A named topic: its SSE event name, kind, title and JSON payload. How its payload renders as HTML is supplied by
/// whoever registers it, through <see cref="IEventRenderer"/>.
/// </summary>
public abstract class Topic(string name, TopicKind kind, string title)
{
    public string Name { get; } = name;

    public TopicKind Kind { get; } = kind;

    /// <summary>What a reader calls it: a panel's heading, an embed's page title.</summary>
    public string Title { get; } = title;

    /// <summary>
    /// Each host has its own (cpu, memory, log, server): a state topic keeps each host's newest, and a stream asking for
    /// some hosts gets only theirs. The clock is the node's own, not per host.
    /// </summary>
    public bool PerHost { get; init; }

    /// <summary>Whether an embed token may carry it (alerts may not).</summary>
    public bool Embeddable { get; init; } = true;

    public abstract Type PayloadType { get; }

    /// <summary>The host a per-host topic's payload is about (null for a topic that is not per host, or a reset).</summary>
    public string? HostOf(object payload) => PerHost && payload is IHostPayload { Host.Length: > 0 } hosted ? hosted.Host : null;

    public abstract byte[] SerializeJson(object payload);

    /// <summary>A payload back from its JSON (as stored by a fleet's nodes and agents).</summary>
    public abstract object DeserializeJson(string json);

    /// <summary>The payload sent before a replay that could not be honoured, telling clients to clear (stream topics).</summary>
    public abstract object? CreateResetPayload(DateTimeOffset now);

    /// <summary>
    /// How many ids a payload takes: one unless the topic counts items in it (a log batch: one per line, the event's
    /// own id being its last line's), so every item has an id a reader can page or resume from.
    /// </summary>
    public abstract int IdCount(object payload);

    public override string ToString() => Name;
}

public sealed class Topic<T>(
    string name,
    TopicKind kind,
    string title,
    JsonTypeInfo<T> jsonTypeInfo,
    Func<DateTimeOffset, T>? resetPayload = null,
    Func<T, int>? idCount = null) : Topic(name, kind, title)
    where T : notnull
{
    public override Type PayloadType => typeof(T);

    public Publication With(T payload) => new(this, payload);

    public override byte[] SerializeJson(object payload) =>
        JsonSerializer.SerializeToUtf8Bytes((T)payload, jsonTypeInfo);

    public override object DeserializeJson(string json) =>
        JsonSerializer.Deserialize(json, jsonTypeInfo) ?? throw new JsonException($"A stored '{Name}' payload was null.");

    public override object? CreateResetPayload(DateTimeOffset now) => resetPayload is null ? null : resetPayload(now);

    public override int IdCount(object payload) => idCount is null ? 1 : Math.Max(1, idCount((T)payload));
}
