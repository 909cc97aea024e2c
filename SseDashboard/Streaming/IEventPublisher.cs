namespace SseDashboard.Streaming;

/// <summary>What producers see of the hub: publish a payload to a topic.</summary>
public interface IEventPublisher
{
    ValueTask<SseEvent> PublishAsync<T>(Topic<T> topic, T payload, CancellationToken cancellationToken = default)
        where T : notnull;
}

/// <summary>Renders a topic's payload into the text each format carries; called once per published event.</summary>
public interface IEventRenderer
{
    ValueTask<string> RenderHtmlAsync(Topic topic, object payload);

    byte[] RenderJson(Topic topic, object payload);
}
