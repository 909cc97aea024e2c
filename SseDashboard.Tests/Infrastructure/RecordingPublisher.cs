using System.Collections.Concurrent;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>Records what producers publish, in order, without a hub.</summary>
public sealed class RecordingPublisher : IEventPublisher
{
    public ConcurrentQueue<(Topic Topic, object Payload)> Published { get; } = new();

    public IEnumerable<T> Of<T>(Topic<T> topic) where T : notnull =>
        Published.Where(p => ReferenceEquals(p.Topic, topic)).Select(p => (T)p.Payload);

    public ValueTask PublishAsync<T>(Topic<T> topic, T payload, CancellationToken cancellationToken = default)
        where T : notnull
    {
        Published.Enqueue((topic, payload));
        return ValueTask.CompletedTask;
    }

    public ValueTask PublishAllAsync(IReadOnlyList<Publication> publications, CancellationToken cancellationToken = default)
    {
        foreach (var (topic, payload) in publications)
        {
            Published.Enqueue((topic, payload));
        }

        return ValueTask.CompletedTask;
    }
}
