using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using SseDashboard.Metrics;

namespace SseDashboard.Meters;

/// <summary>
/// Reads the instruments named in <c>Dashboard:Meters:Instruments</c> with a <see cref="MeterListener"/>: the
/// framework's and the app's own meters from this app's <see cref="IMeterFactory"/>, and process-wide meters (the
/// runtime's, or any <c>new Meter(…)</c>), never another app's in the same process.
/// </summary>
public sealed class MeterSampler : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly TimeProvider _timeProvider;
    private readonly IReadOnlyList<string> _names;
    private readonly Dictionary<string, InstrumentState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SampleHistory> _histories = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _lastAt;

    public MeterSampler(IMeterFactory meterFactory, IOptions<MetersOptions> options, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _names = options.Value.EffectiveInstruments;
        var wanted = _names.ToHashSet(StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!wanted.Contains(instrument.Name) || (instrument.Meter.Scope is not null && !ReferenceEquals(instrument.Meter.Scope, meterFactory)))
            {
                return;
            }

            lock (_lock)
            {
                // The first instrument of that name wins (two meters may both have one): the others are not read.
                if (_states.ContainsKey(instrument.Name))
                {
                    return;
                }

                var state = new InstrumentState(instrument);
                _states[instrument.Name] = state;
                listener.EnableMeasurementEvents(instrument, state);
            }
        };
        _listener.SetMeasurementEventCallback<byte>((_, value, _, state) => ((InstrumentState)state!).Record(value));
        _listener.SetMeasurementEventCallback<short>((_, value, _, state) => ((InstrumentState)state!).Record(value));
        _listener.SetMeasurementEventCallback<int>((_, value, _, state) => ((InstrumentState)state!).Record(value));
        _listener.SetMeasurementEventCallback<long>((_, value, _, state) => ((InstrumentState)state!).Record(value));
        _listener.SetMeasurementEventCallback<float>((_, value, _, state) => ((InstrumentState)state!).Record(value));
        _listener.SetMeasurementEventCallback<double>((_, value, _, state) => ((InstrumentState)state!).Record(value));
        _listener.SetMeasurementEventCallback<decimal>((_, value, _, state) => ((InstrumentState)state!).Record((double)value));
        _listener.Start();
        _lastAt = timeProvider.GetTimestamp();
    }

    /// <summary>Every configured instrument the app has, in the configured order, over the time since the last sample.</summary>
    public MetersSample Sample()
    {
        InstrumentState[] states;
        lock (_lock)
        {
            states = _names.Where(_states.ContainsKey).Select(n => _states[n]).ToArray();
        }

        foreach (var state in states)
        {
            state.BeginCollection();
        }

        _listener.RecordObservableInstruments();
        var now = _timeProvider.GetTimestamp();
        var seconds = _timeProvider.GetElapsedTime(_lastAt, now).TotalSeconds;
        _lastAt = now;
        var readings = states.Select(s => s.Read(seconds)).Select(r => r with { History = HistoryOf(r.Name).Add(r.Value) }).ToArray();
        return new MetersSample(_timeProvider.GetUtcNow(), readings);
    }

    private SampleHistory HistoryOf(string name)
    {
        if (!_histories.TryGetValue(name, out var history))
        {
            _histories[name] = history = new SampleHistory();
        }

        return history;
    }

    public void Dispose() => _listener.Dispose();
}
