using System.Text;

namespace SseDashboard.Streaming;

/// <summary>
/// Renders an event once per format and frames it once, as every subscriber gets it; numbers the hosts events are
/// about, for the state topics' coalescing slots (one per topic and host).
/// </summary>
internal sealed class EventFramer(IEventRenderer renderer, TimeProvider timeProvider, int topicCount)
{
    // Each host's number (from 1; 0 is no host).
    private readonly Dictionary<string, int> _hostSlots = new(StringComparer.Ordinal);
    private readonly Lock _hostSlotsLock = new();

    /// <summary>The hosts events have been framed for, in the order they first came.</summary>
    public IReadOnlyList<string> Hosts
    {
        get
        {
            lock (_hostSlotsLock)
            {
                return _hostSlots.OrderBy(h => h.Value).Select(h => h.Key).ToArray();
            }
        }
    }

    public async ValueTask<(byte[] Html, byte[] Json)> RenderAsync(Topic topic, object payload) =>
        (Encoding.UTF8.GetBytes(await renderer.RenderHtmlAsync(topic, payload)), renderer.RenderJson(topic, payload));

    /// <summary>
    /// The event framed once per format. Unnumbered, it has no <c>id:</c> field and sorts as <paramref name="id"/>, the
    /// newest id when it was published.
    /// </summary>
    public async ValueTask<SseEvent> FrameAsync(TopicBuffer buffer, long id, bool numbered, object payload, byte[] html, byte[] json)
    {
        var host = buffer.Topic.HostOf(payload);
        long? field = numbered ? id : null;
        return new(
            id,
            buffer.Topic,
            buffer.Index,
            payload,
            await SseFraming.EncodeAsync(buffer.Topic.Name, field, html),
            await SseFraming.EncodeAsync(buffer.Topic.Name, field, json),
            timeProvider.GetTimestamp(),
            host,
            HostSlot(host) * topicCount + buffer.Index);
    }

    /// <summary>Events a history store held, rendered and framed with their stored ids.</summary>
    public async ValueTask<SseEvent[]> FrameStoredAsync(TopicBuffer buffer, IReadOnlyList<StoredEvent> stored)
    {
        var events = new SseEvent[stored.Count];
        for (var i = 0; i < events.Length; i++)
        {
            var (html, json) = await RenderAsync(buffer.Topic, stored[i].Payload);
            events[i] = await FrameAsync(buffer, stored[i].Id, numbered: true, stored[i].Payload, html, json);
        }

        return events;
    }

    private int HostSlot(string? host)
    {
        if (host is null)
        {
            return 0;
        }

        lock (_hostSlotsLock)
        {
            if (!_hostSlots.TryGetValue(host, out var slot))
            {
                _hostSlots[host] = slot = _hostSlots.Count + 1;
            }

            return slot;
        }
    }
}
