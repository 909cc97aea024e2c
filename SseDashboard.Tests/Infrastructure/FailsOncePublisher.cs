using SseDashboard.Streaming;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>Throws on the first payload <paramref name="fails"/> picks (losing it, as a failed publish does), then records.</summary>
public sealed class FailsOncePublisher(Func<object, bool> fails) : IEventPublisher
{
    private int _failed;

    public RecordingPublisher Inner { get; } = new();

    public ValueTask PublishAsync<T>(Topic<T> topic, T payload, CancellationToken cancellationToken = default)
        where T : notnull =>
        fails(payload) && Interlocked.Exchange(ref _failed, 1) == 0
            ? throw new InvalidOperationException("hub unavailable")
            : Inner.PublishAsync(topic, payload, cancellationToken);

    public ValueTask PublishAllAsync(IReadOnlyList<Publication> publications, CancellationToken cancellationToken = default) =>
        Inner.PublishAllAsync(publications, cancellationToken);
}
