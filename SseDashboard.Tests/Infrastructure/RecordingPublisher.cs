using System.Collections.Concurrent;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>Records what producers publish, in order, without a hub.</summary>
public sealed class RecordingPublisher : IEventPublisher
{
    private long _id;

    public ConcurrentQueue<(Topic Topic, object Payload)> Published { get; } = new();

    public IEnumerable<T> Of<T>(Topic<T> topic) where T : notnull =>
        Published.Where(p => ReferenceEquals(p.Topic, topic)).Select(p => (T)p.Payload);

    public ValueTask<SseEvent> PublishAsync<T>(Topic<T> topic, T payload, CancellationToken cancellationToken = default)
        where T : notnull
    {
        Published.Enqueue((topic, payload));
        return ValueTask.FromResult(new SseEvent(Interlocked.Increment(ref _id), topic, 0, payload, [], []));
    }

    public ValueTask<IReadOnlyList<SseEvent>> PublishAllAsync(IReadOnlyList<Publication> publications, CancellationToken cancellationToken = default)
    {
        var events = new List<SseEvent>();
        foreach (var (topic, payload) in publications)
        {
            Published.Enqueue((topic, payload));
            events.Add(new SseEvent(Interlocked.Increment(ref _id), topic, 0, payload, [], []));
        }

        return ValueTask.FromResult<IReadOnlyList<SseEvent>>(events);
    }
}
