using Microsoft.AspNetCore.Html;
using SseDashboard.Fleet;
using SseDashboard.Metrics;
using SseDashboard.Panels;
using SseDashboard.Streaming;

namespace SseDashboard.Pages;

/// <summary>
/// The fleet grid: a card per host, whose cpu and memory slots are painted from the page's snapshot and then filled by
/// the stream's out-of-band fragments (see <see cref="HostSlots"/>); status and last seen follow each card's newest sample.
/// </summary>
public sealed record FleetGridView(IReadOnlyList<HostCard> Cards, DateTimeOffset Now)
{
    public static readonly Topic[] CardTopics = [MetricsTopics.Cpu, MetricsTopics.Memory];

    public static long StaleAfterIntervals => HostsApi.StaleAfterIntervals;

    public static long OfflineAfterMs => (long)HostsApi.OfflineAfter.TotalMilliseconds;

    public static async Task<FleetGridView> CreateAsync(IReadOnlyList<HostEntry> hosts, HubSnapshot snapshot, PanelRenderer panels, DateTimeOffset now)
    {
        var cards = new List<HostCard>(hosts.Count);
        foreach (var host in hosts)
        {
            var slots = new List<HostSlot>(CardTopics.Length);
            foreach (var topic in CardTopics)
            {
                // The page's snapshot, which the stream goes on from; else what the directory read from the store.
                var newest = snapshot.Events[topic.Name].LastOrDefault(e => e.Host == host.Host)?.Payload
                    ?? (topic == MetricsTopics.Cpu ? host.CpuSample : host.MemorySample);
                var html = newest is null ? null : new HtmlString(await panels.RenderAsync(topic, [newest]));
                slots.Add(new HostSlot(topic.Name, topic.Title, HostSlots.Of(topic.Name, host.Host), html));
            }

            cards.Add(new HostCard(host, slots));
        }

        return new FleetGridView(cards, now);
    }
}

public sealed record HostCard(HostEntry Entry, IReadOnlyList<HostSlot> Slots)
{
    public long IntervalMs => (long)Entry.Interval.TotalMilliseconds;
}

/// <summary>A card's panel for one topic; <see cref="Content"/> null until the host's first sample.</summary>
public sealed record HostSlot(string Topic, string Title, string Slot, IHtmlContent? Content);
