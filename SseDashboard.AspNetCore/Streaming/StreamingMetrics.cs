using System.Diagnostics.Metrics;

namespace SseDashboard.Streaming;

/// <summary>Why a stream ended; the <c>reason</c> tag of <c>sse.disconnects</c>.</summary>
public enum DisconnectReason
{
    /// <summary>The client went away.</summary>
    Client,

    /// <summary>The client fell more than <c>Dashboard:Sse:MaxQueuedEvents</c> behind on a stream topic.</summary>
    Overflow,

    /// <summary>Writes made no progress for <c>Dashboard:Sse:StallTimeout</c>.</summary>
    Stalled,

    /// <summary>Refused with 503: <c>Dashboard:Sse:MaxConnections</c> were open.</summary>
    Capacity,

    /// <summary>The server is stopping.</summary>
    Shutdown,

    /// <summary>The session or embed token behind the stream expired or was revoked: it was sent <c>event: close</c>.</summary>
    AccessEnded,
}

/// <summary>
/// The streams' own load, as the <c>SseDashboard</c> meter (<c>dotnet-counters monitor -n SseDashboard --counters
/// SseDashboard</c>) and as running totals for the <c>server</c> panel.
/// </summary>
public sealed class StreamingMetrics
{
    public const string MeterName = "SseDashboard";

    private readonly Counter<long> _eventsWritten;
    private readonly Counter<long> _bytesWritten;
    private readonly Counter<long> _disconnects;
    private readonly Histogram<double> _publishToWrite;
    private readonly long[] _disconnectTotals = new long[Enum.GetValues<DisconnectReason>().Length];
    private long _connections;
    private long _opened;
    private long _events;
    private long _bytes;

    public StreamingMetrics(IMeterFactory meterFactory, EventHub hub)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("sse.connections", () => Volatile.Read(ref _connections), "{connection}", "Open SSE connections");
        _eventsWritten = meter.CreateCounter<long>("sse.events_written", "{event}", "Events written to SSE connections");
        _bytesWritten = meter.CreateCounter<long>("sse.bytes_written", "By", "Bytes written to SSE connections");
        _disconnects = meter.CreateCounter<long>("sse.disconnects", "{connection}", "SSE connections ended (or refused), by reason");
        _publishToWrite = meter.CreateHistogram<double>("sse.publish_to_write", "ms", "Time from an event's publish to its write to a connection");
        meter.CreateObservableGauge("sse.queue_depth", () => hub.QueuedEvents, "{event}", "Entries queued for all connections, not yet written");
    }

    public long Connections => Volatile.Read(ref _connections);

    /// <summary>Takes a connection slot unless <paramref name="max"/> are open; false (counted as capacity) when full.</summary>
    public bool TryOpen(int max)
    {
        for (var open = Interlocked.Read(ref _connections); ; open = Interlocked.Read(ref _connections))
        {
            if (open >= max)
            {
                Disconnected(DisconnectReason.Capacity);
                return false;
            }

            if (Interlocked.CompareExchange(ref _connections, open + 1, open) == open)
            {
                Interlocked.Increment(ref _opened);
                return true;
            }
        }
    }

    public void Closed(DisconnectReason reason)
    {
        Interlocked.Decrement(ref _connections);
        Disconnected(reason);
    }

    /// <summary>One batch to one connection: how many events and bytes, and how old its oldest event was (none for heartbeats only).</summary>
    public void Written(int events, long bytes, TimeSpan? oldest)
    {
        Interlocked.Add(ref _events, events);
        Interlocked.Add(ref _bytes, bytes);
        _eventsWritten.Add(events);
        _bytesWritten.Add(bytes);
        if (oldest is { } age && _publishToWrite.Enabled)
        {
            _publishToWrite.Record(age.TotalMilliseconds);
        }
    }

    /// <summary>Running totals since start.</summary>
    public StreamingTotals Totals()
    {
        var disconnects = new long[_disconnectTotals.Length];
        for (var i = 0; i < disconnects.Length; i++)
        {
            disconnects[i] = Interlocked.Read(ref _disconnectTotals[i]);
        }

        return new(Interlocked.Read(ref _connections), Interlocked.Read(ref _opened), Interlocked.Read(ref _events), Interlocked.Read(ref _bytes), disconnects);
    }

    private void Disconnected(DisconnectReason reason)
    {
        Interlocked.Increment(ref _disconnectTotals[(int)reason]);
        _disconnects.Add(1, new KeyValuePair<string, object?>("reason", ReasonTag(reason)));
    }

    public static string ReasonTag(DisconnectReason reason) => reason switch
    {
        DisconnectReason.Client => "client",
        DisconnectReason.Overflow => "overflow",
        DisconnectReason.Stalled => "stalled",
        DisconnectReason.Capacity => "capacity",
        DisconnectReason.AccessEnded => "access_ended",
        _ => "shutdown",
    };
}

/// <summary>Totals since start: connections open now and ever opened, events and bytes written, ends by reason.</summary>
public sealed record StreamingTotals(long Connections, long Opened, long Events, long Bytes, long[] Disconnects)
{
    public long DisconnectsOf(DisconnectReason reason) => Disconnects[(int)reason];

    /// <summary>Connections that ended, for whatever reason (refusals are not connections).</summary>
    public long Closed => Disconnects.Sum() - DisconnectsOf(DisconnectReason.Capacity);
}
