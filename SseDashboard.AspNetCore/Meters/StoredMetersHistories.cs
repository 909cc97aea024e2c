using SseDashboard.Metrics;
using SseDashboard.Streaming;

namespace SseDashboard.Meters;

/// <summary>In a fleet, meters read back from the store get their sparklines here, per host and instrument.</summary>
public sealed class StoredMetersHistories : IPayloadRestorer
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Host, string Instrument), SampleHistory> _histories = [];

    public object Restore(Topic topic, object payload)
    {
        if (payload is not MetersSample sample)
        {
            return payload;
        }

        lock (_lock)
        {
            return sample with { Instruments = [.. sample.Instruments.Select(i => i with { History = Of(sample.Host, i.Name).Add(i.Value) })] };
        }
    }

    private SampleHistory Of(string host, string instrument)
    {
        if (!_histories.TryGetValue((host, instrument), out var history))
        {
            _histories[(host, instrument)] = history = new SampleHistory();
        }

        return history;
    }
}
