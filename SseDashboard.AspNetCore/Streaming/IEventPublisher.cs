namespace SseDashboard.Streaming;

/// <summary>
/// What producers see of the hub: publish a payload to a topic. In a fleet, a per-host topic's payload goes to the
/// store first and reaches the hub with its id from there.
/// </summary>
public interface IEventPublisher
{
    ValueTask PublishAsync<T>(Topic<T> topic, T payload, CancellationToken cancellationToken = default)
        where T : notnull;

    /// <summary>
    /// Publishes several events as one: consecutive ids, queued to each subscriber in one pass, so a client receives
    /// them in one write (cheaper for the server than one write per event).
    /// </summary>
    ValueTask PublishAllAsync(IReadOnlyList<Publication> publications, CancellationToken cancellationToken = default);
}

/// <summary>A payload for a topic, to publish with others; made by <see cref="Topic{T}.With"/>.</summary>
public readonly record struct Publication(Topic Topic, object Payload)
{
    /// <summary>The payload about <paramref name="host"/> when it names no host yet.</summary>
    public Publication About(string? host) =>
        host is not null && Payload is IHostPayload { Host.Length: 0 } hosted ? this with { Payload = hosted.WithHost(host) } : this;
}

/// <summary>
/// Renders a topic's payload into the text each format carries; called once per published event. The hub only asks;
/// whoever registers the topics supplies the implementation.
/// </summary>
public interface IEventRenderer
{
    ValueTask<string> RenderHtmlAsync(Topic topic, object payload);

    byte[] RenderJson(Topic topic, object payload);
}
