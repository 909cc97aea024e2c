using System.Text;

namespace SseDashboard.Bench.Measurement;

/// <summary>
/// What all connections of one run share: the measurement window (by publish time), the latency histograms, the
/// topic names seen, and the set of distinct published events (to know how many each client should have had).
/// </summary>
internal sealed class RunState
{
    private const int MaxTopics = 32;
    private const int AllTopics = int.MinValue;
    private const int NotSeenYet = -2;
    private readonly Lock _lock = new();
    private readonly byte[][] _topicNames = new byte[MaxTopics][];
    private readonly long[] _lastRegistered = new long[MaxTopics + 1];
    private readonly long[] _lastRegisteredTicks = new long[MaxTopics + 1];
    private readonly Dictionary<(int Topic, long Id), long> _published = [];
    private int _topicCount;
    private byte[]? _timedName;
    private int _timedTopic = AllTopics;
    private long _windowStart = long.MaxValue;
    private long _windowEnd = long.MaxValue;

    public Histogram Latency { get; } = new();

    public Histogram LogLag { get; } = new();

    /// <summary>The fleet scenario's line marker (see <see cref="Client.FleetLines"/>); null in other scenarios.</summary>
    public byte[]? FleetMarker { get; init; }

    /// <summary>True when the same id came with different publish times: ids count per connection (a timer each).</summary>
    public bool PerConnectionIds { get; private set; }

    public long WindowStart
    {
        get => Volatile.Read(ref _windowStart);
        set => Volatile.Write(ref _windowStart, value);
    }

    public long WindowEnd
    {
        get => Volatile.Read(ref _windowEnd);
        set => Volatile.Write(ref _windowEnd, value);
    }

    /// <summary>The one topic whose events <see cref="Latency"/> times (null, the default: every topic).</summary>
    public string? TimedTopic
    {
        get => _timedName is null ? null : Encoding.UTF8.GetString(_timedName);
        init
        {
            _timedName = value is null ? null : Encoding.UTF8.GetBytes(value);
            _timedTopic = value is null ? AllTopics : NotSeenYet;
        }
    }

    public bool IsTimed(int topic) => _timedTopic == AllTopics || topic == Volatile.Read(ref _timedTopic);

    public bool InWindow(long publishedTicks) => publishedTicks >= WindowStart && publishedTicks < WindowEnd;

    public IReadOnlyList<string> TopicNames
    {
        get
        {
            lock (_lock)
            {
                return _topicNames.Take(_topicCount).Select(n => Encoding.UTF8.GetString(n)).ToArray();
            }
        }
    }

    public int TopicIndex(ReadOnlySpan<byte> name)
    {
        var count = Volatile.Read(ref _topicCount);
        for (var i = 0; i < count; i++)
        {
            if (name.SequenceEqual(_topicNames[i]))
            {
                return i;
            }
        }

        lock (_lock)
        {
            for (var i = 0; i < _topicCount; i++)
            {
                if (name.SequenceEqual(_topicNames[i]))
                {
                    return i;
                }
            }

            if (_topicCount == MaxTopics)
            {
                return -1;
            }

            _topicNames[_topicCount] = name.ToArray();
            var index = _topicCount;
            if (_timedName is not null && name.SequenceEqual(_timedName))
            {
                Volatile.Write(ref _timedTopic, index);
            }

            Volatile.Write(ref _topicCount, index + 1);
            return index;
        }
    }

    /// <summary>Notes a published event (topic, id, publish time); clients mostly see the same one in a row, so that is cheap.</summary>
    public void Register(int topic, long id, long publishedTicks)
    {
        if (id < 0 || publishedTicks == 0)
        {
            return;
        }

        // Racy but safe: a stale pair only sends this event down the locked path.
        ref var last = ref _lastRegistered[topic + 1];
        ref var lastTicks = ref _lastRegisteredTicks[topic + 1];
        if (Volatile.Read(ref last) == id && Math.Abs(Volatile.Read(ref lastTicks) - publishedTicks) <= TimeSpan.TicksPerMillisecond)
        {
            return;
        }

        lock (_lock)
        {
            if (_published.TryGetValue((topic, id), out var seen))
            {
                // A millisecond apart at most: the dashboard's HTML and JSON carry the same instant.
                if (Math.Abs(seen - publishedTicks) > TimeSpan.TicksPerMillisecond)
                {
                    PerConnectionIds = true;
                }
            }
            else
            {
                _published[(topic, id)] = publishedTicks;
            }

            Volatile.Write(ref lastTicks, publishedTicks);
            Volatile.Write(ref last, id);
        }
    }

    /// <summary>Distinct published events with a publish time inside the window, per topic index (-1 = unnamed).</summary>
    public Dictionary<int, int> PublishedInWindow()
    {
        lock (_lock)
        {
            return _published.Where(p => InWindow(p.Value))
                .GroupBy(p => p.Key.Topic)
                .ToDictionary(g => g.Key, g => g.Count());
        }
    }
}
