using System.Diagnostics.Metrics;

namespace SseDashboard.Meters;

/// <summary>
/// What one instrument recorded since the last reading, by kind: a counter's increments (or an observable one's
/// total), an up-down counter's running value, a gauge's last value, a histogram's values (a bounded sample of them).
/// Measurements come on any thread.
/// </summary>
internal sealed class InstrumentState
{
    /// <summary>Histogram values kept per interval for its percentiles; past it, a uniform sample of them.</summary>
    public const int MaxSampled = 2048;

    private readonly Lock _lock = new();
    private readonly Kind _kind;
    private readonly bool _observable;
    private readonly List<double> _sampled = [];
    private double _sum;
    private long _count;
    private double? _observed;
    private double? _lastTotal;

    public InstrumentState(Instrument instrument)
    {
        Name = instrument.Name;
        SourceUnit = instrument.Unit ?? "";
        _observable = instrument.IsObservable;
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        _kind = definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>) ? Kind.Counter
            : definition == typeof(UpDownCounter<>) || definition == typeof(ObservableUpDownCounter<>) ? Kind.UpDown
            : definition == typeof(Histogram<>) ? Kind.Histogram
            : Kind.Gauge;
    }

    private enum Kind
    {
        Counter,
        UpDown,
        Gauge,
        Histogram,
    }

    public string Name { get; }

    public string SourceUnit { get; }

    /// <summary>The unit of <see cref="InstrumentReading.Value"/>: a rate for counters and histograms.</summary>
    public string Unit => _kind switch
    {
        Kind.Counter => SourceUnit + "/s",
        Kind.Histogram => "/s",
        _ => SourceUnit,
    };

    public void Record(double value)
    {
        lock (_lock)
        {
            if (_observable)
            {
                // An observable instrument reports every tag set's value at each collection: their sum is its value.
                _observed = (_observed ?? 0) + value;
                return;
            }

            switch (_kind)
            {
                case Kind.Gauge:
                    _observed = value;
                    break;
                case Kind.Histogram:
                    _count++;
                    if (_sampled.Count < MaxSampled)
                    {
                        _sampled.Add(value);
                    }
                    else if (Random.Shared.NextInt64(_count) is var slot && slot < MaxSampled)
                    {
                        _sampled[(int)slot] = value;
                    }

                    break;
                default:
                    _sum += value;
                    break;
            }
        }
    }

    /// <summary>Before an observable collection: its values are summed afresh.</summary>
    public void BeginCollection()
    {
        if (_observable)
        {
            lock (_lock)
            {
                _observed = null;
            }
        }
    }

    /// <summary>The reading over the last <paramref name="seconds"/>, and a fresh start for the next.</summary>
    public InstrumentReading Read(double seconds)
    {
        lock (_lock)
        {
            double? PerSecond(double amount) => seconds > 0 ? Round(amount / seconds) : null;

            switch (_kind)
            {
                case Kind.Counter when _observable:
                    // An observable counter reports its total: the rate is the difference between two readings.
                    var rate = _observed is { } total && _lastTotal is { } last ? PerSecond(Math.Max(0, total - last)) : null;
                    _lastTotal = _observed ?? _lastTotal;
                    return new InstrumentReading(Name, Unit, rate);
                case Kind.Counter:
                    var counted = _sum;
                    _sum = 0;
                    return new InstrumentReading(Name, Unit, PerSecond(counted));
                case Kind.UpDown when !_observable:
                    return new InstrumentReading(Name, Unit, Round(_sum));
                case Kind.Histogram:
                    var reading = new InstrumentReading(Name, Unit, PerSecond(_count), Percentile(0.50), Percentile(0.99))
                    {
                        PercentileUnit = SourceUnit is "s" or "ms" ? "ms" : SourceUnit,
                    };
                    (_count, _sum) = (0, 0);
                    _sampled.Clear();
                    return reading;
                default:
                    return new InstrumentReading(Name, Unit, _observed is { } value ? Round(value) : null);
            }
        }
    }

    // Nearest rank, in ms for a duration (the framework's are in s).
    private double? Percentile(double quantile)
    {
        if (_sampled.Count == 0)
        {
            return null;
        }

        _sampled.Sort();
        var value = _sampled[Math.Max(0, (int)Math.Ceiling(quantile * _sampled.Count) - 1)];
        return Round(SourceUnit == "s" ? value * 1000 : value);
    }

    private static double Round(double value) => Math.Round(value, 3);
}
