namespace SseDashboard.Streaming;

/// <summary>
/// One client's subscription: which topics, in which format, and the queue its writer drains. Disposing it leaves the
/// hub; called in the connection's finally.
/// </summary>
public sealed class Subscription : IDisposable
{
    private readonly SubscriptionStore _store;
    private readonly Action? _onOverflow;

    internal Subscription(SubscriptionStore store, ulong topicMask, SseFormat format, EventQueue queue, Action? onOverflow)
    {
        _store = store;
        _onOverflow = onOverflow;
        TopicMask = topicMask;
        Format = format;
        Queue = queue;
    }

    public SseFormat Format { get; }

    public EventQueue Queue { get; }

    /// <summary>One bit per subscribed topic (by <see cref="SseEvent.TopicIndex"/>).</summary>
    internal ulong TopicMask { get; }

    /// <summary>Position in the <see cref="SubscriptionStore"/>, for O(1) removal; -1 when not stored.</summary>
    internal int Slot { get; set; } = -1;

    internal bool Wants(SseEvent e) => (TopicMask & (1UL << e.TopicIndex)) != 0;

    internal void NotifyOverflow() => _onOverflow?.Invoke();

    /// <summary>Ends the subscription; its writer drains what is queued and stops.</summary>
    public void Complete() => Queue.Complete();

    public void Dispose()
    {
        Queue.Complete();
        _store.Remove(this);
    }
}
