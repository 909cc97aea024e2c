using System.Collections.Concurrent;
using SseDashboard.Streaming;

namespace SseDashboard.Tests.Infrastructure;

public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ssedashboard-tests", Guid.NewGuid().ToString("N"));

    public TempDirectory() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(GetTimestamp());

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>Records what producers publish, in order, without a hub.</summary>
public sealed class RecordingPublisher : IEventPublisher
{
    private long _id;

    public ConcurrentQueue<(Topic Topic, object Payload)> Published { get; } = new();

    public IEnumerable<T> Of<T>(Topic<T> topic) where T : notnull =>
        Published.Where(p => ReferenceEquals(p.Topic, topic)).Select(p => (T)p.Payload);

    public ValueTask<SseEvent> PublishAsync<T>(Topic<T> topic, T payload, CancellationToken cancellationToken = default)
        where T : notnull
    {
        Published.Enqueue((topic, payload));
        return ValueTask.FromResult(new SseEvent(Interlocked.Increment(ref _id), topic, 0, payload, [], []));
    }

    public ValueTask<IReadOnlyList<SseEvent>> PublishAllAsync(IReadOnlyList<Publication> publications, CancellationToken cancellationToken = default)
    {
        var events = new List<SseEvent>();
        foreach (var (topic, payload) in publications)
        {
            Published.Enqueue((topic, payload));
            events.Add(new SseEvent(Interlocked.Increment(ref _id), topic, 0, payload, [], []));
        }

        return ValueTask.FromResult<IReadOnlyList<SseEvent>>(events);
    }
}

/// <summary>A clock the test moves by hand, whose timers fire when the time they wait for is reached.</summary>
public sealed class SteppedTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<SteppedTimer> _timers = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>How many timers are waiting: a producer blocked on its next tick has one.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.Due is not null);
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SteppedTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Sets the wall clock back (as an NTP step may) without firing anything.</summary>
    public void SetBack(TimeSpan by)
    {
        lock (_lock)
        {
            _now -= by;
            foreach (var timer in _timers.Where(t => t.Due is not null))
            {
                timer.Due -= by; // timers wait on elapsed time, not on the wall clock
            }
        }
    }

    /// <summary>Moves the clock on and fires every one-shot timer now due.</summary>
    public void Advance(TimeSpan by)
    {
        List<SteppedTimer> due;
        lock (_lock)
        {
            _now += by;
            due = _timers.Where(t => t.Due <= _now).ToList();
            due.ForEach(t => t.Due = null);
        }

        due.ForEach(t => t.Fire());
    }

    private sealed class SteppedTimer(SteppedTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                if (!owner._timers.Contains(this))
                {
                    owner._timers.Add(this);
                }
            }

            return true;
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
