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

/// <summary>A named topic: its SSE event name, its kind, and how its payload renders as HTML and JSON.</summary>
public abstract class Topic(string name, TopicKind kind, Type panelType)
{
    public string Name { get; } = name;

    public TopicKind Kind { get; } = kind;

    /// <summary>The Razor component (with a <c>Data</c> parameter) that renders this topic's HTML fragment.</summary>
    public Type PanelType { get; } = panelType;

    public abstract Type PayloadType { get; }

    public abstract byte[] SerializeJson(object payload);

    /// <summary>The payload sent before a replay that could not be honoured, telling clients to clear (stream topics).</summary>
    public abstract object? CreateResetPayload(DateTimeOffset now);

    public override string ToString() => Name;
}

public sealed class Topic<T>(
    string name,
    TopicKind kind,
    Type panelType,
    JsonTypeInfo<T> jsonTypeInfo,
    Func<DateTimeOffset, T>? resetPayload = null) : Topic(name, kind, panelType)
    where T : notnull
{
    public override Type PayloadType => typeof(T);

    public Publication With(T payload) => new(this, payload);

    public override byte[] SerializeJson(object payload) =>
        JsonSerializer.SerializeToUtf8Bytes((T)payload, jsonTypeInfo);

    public override object? CreateResetPayload(DateTimeOffset now) => resetPayload is null ? null : resetPayload(now);
}

public enum SseFormat
{
    Html,
    Json,
}
