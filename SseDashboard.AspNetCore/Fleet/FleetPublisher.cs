using Microsoft.Extensions.Options;
using SseDashboard.History;
using SseDashboard.LogTail;
using SseDashboard.Streaming;

namespace SseDashboard.Fleet;

/// <summary>
/// What producers publish to in a fleet: this host's per-host events go to the store, which numbers them, and reach
/// every dashboard node's hub (this one's too) from there; the clock, the node's own, goes straight to its hub with no
/// id. An agent has no hub to publish to.
/// </summary>
public sealed class FleetPublisher : IEventPublisher
{
    private readonly HistoryWriter _writer;
    private readonly EventHub? _hub;
    private readonly string _host;

    public FleetPublisher(HistoryWriter writer, IOptions<NodeOptions> node, EventHub? hub = null)
    {
        (_writer, _hub, _host) = (writer, hub, node.Value.HostName);
        if (hub is not null)
        {
            // The store failed to take a batch: its events are shown live, unnumbered, as what comes while it fails.
            writer.Unstored = async batch => await hub.PublishUnnumberedAsync(batch.Select(LiveOnly).ToArray());
        }
    }

    // A log batch shown before it is stored is marked, so a page drops it when the stored copy comes.
    private static Publication LiveOnly(Publication publication) =>
        publication.Payload is LogBatch batch ? LogTailTopics.Log.With(batch with { LiveOnly = true }) : publication;

    public ValueTask PublishAsync<T>(Topic<T> topic, T payload, CancellationToken cancellationToken = default)
        where T : notnull =>
        PublishAllAsync([topic.With(payload)], cancellationToken);

    public async ValueTask PublishAllAsync(IReadOnlyList<Publication> publications, CancellationToken cancellationToken = default)
    {
        // The clock is not stored; while the store fails, this host's events are shown live too (once).
        var failing = _hub is not null && _writer.Failing;
        var stored = publications.Where(p => p.Topic.PerHost).Select(p => p.About(_host)).ToArray();
        _writer.Submit(stored, shown: failing);
        var live = failing ? publications.Select(LiveOnly).ToArray() : publications.Where(p => !p.Topic.PerHost).ToArray();
        if (_hub is not null && live.Length > 0)
        {
            await _hub.PublishUnnumberedAsync(live, cancellationToken);
        }
    }
}
