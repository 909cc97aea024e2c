namespace SseDashboard.Tests.Infrastructure;

/// <summary>
/// A clock the test moves, after Microsoft.Extensions.TimeProvider.Testing's <c>FakeTimeProvider</c>: time stands
/// still until <see cref="Advance"/> or <see cref="SetUtcNow"/> moves it, firing the timers then due. Beyond that: a
/// wall clock stepped alone (<see cref="StepWallClock"/>), a count of <see cref="WaitingTimers"/>, and an opt-in
/// <see cref="FireTimersAtOnce"/> mode.
/// </summary>
/// <remarks>
/// The timestamp is monotonic, as <see cref="TimeProvider.System"/>'s is: only <see cref="Advance"/> and
/// <see cref="SetUtcNow"/> move it, and timers wait on it, not on the wall clock.
/// </remarks>
public sealed class FakeTimeProvider(DateTimeOffset startDateTime) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<FakeTimer> _timers = [];
    private readonly List<TimeSpan> _timerDueTimes = [];
    private DateTimeOffset _now = startDateTime;
    private long _timestamp = startDateTime.UtcTicks;

    /// <summary>Starts at midnight UTC on 2000-01-01, as Microsoft's does.</summary>
    public FakeTimeProvider()
        : this(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public DateTimeOffset Start { get; } = startDateTime;

    /// <summary>
    /// When set, every timer created records its due time in <see cref="TimerDueTimes"/> and elapses at once: the clock
    /// moves on by that time and the timer fires, so a test can run backoffs without waiting them out.
    /// </summary>
    public bool FireTimersAtOnce { get; init; }

    /// <summary>The due time of each timer created, in order (recorded only with <see cref="FireTimersAtOnce"/>).</summary>
    public IReadOnlyList<TimeSpan> TimerDueTimes
    {
        get
        {
            lock (_lock)
            {
                return [.. _timerDueTimes];
            }
        }
    }

    /// <summary>How many timers are waiting to fire: a producer blocked on its next tick has one.</summary>
    public int WaitingTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.Due is not null);
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return _timestamp;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        if (FireTimersAtOnce && dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_lock)
            {
                _timerDueTimes.Add(dueTime);
            }

            Advance(dueTime);
        }

        return timer;
    }

    /// <summary>Moves the wall clock and the timestamp on, then fires every timer now due.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        lock (_lock)
        {
            _now += delta;
            _timestamp += delta.Ticks;
        }

        while (NextDue() is { } timer)
        {
            timer.Fire();
        }
    }

    /// <summary>Moves the clock on to <paramref name="value"/> as <see cref="Advance"/> does; it cannot go back.</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        var now = GetUtcNow();
        if (value < now)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Cannot go back in time from {now:O}: use {nameof(StepWallClock)}.");
        }

        Advance(value - now);
    }

    /// <summary>
    /// Steps the wall clock alone, either way, as an NTP correction may: the timestamp and the timers waiting on it
    /// stay where they are, and nothing fires.
    /// </summary>
    public void StepWallClock(TimeSpan delta)
    {
        lock (_lock)
        {
            _now += delta;
        }
    }

    /// <summary>The earliest timer due by now, re-armed for its next period (or disarmed), or null.</summary>
    private FakeTimer? NextDue()
    {
        lock (_lock)
        {
            var timer = _timers.Where(t => t.Due <= _timestamp).MinBy(t => t.Due);
            if (timer is not null)
            {
                timer.Due = timer.Period > 0 ? timer.Due + timer.Period : null;
            }

            return timer;
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private bool _disposed;

        /// <summary>The timestamp it fires at; null when disarmed.</summary>
        public long? Due { get; set; }

        /// <summary>Ticks between firings; 0 for a one-shot timer.</summary>
        public long Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                if (_disposed)
                {
                    return false;
                }

                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._timestamp + dueTime.Ticks;
                Period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
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
                _disposed = true;
                Due = null;
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
