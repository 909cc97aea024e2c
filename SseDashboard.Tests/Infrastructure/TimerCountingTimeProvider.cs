using Microsoft.Extensions.Time.Testing;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>
/// The framework's <see cref="FakeTimeProvider"/>, telling a test how many of its timers are armed (a producer
/// blocked on its next tick has one) and the due time each was created with; the clock itself is the library's.
/// The library keeps its timers to itself, and a test must not move time before the producer waits on it.
/// </summary>
public sealed class TimerCountingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _dueTimes = [];
    private int _armed;

    public TimerCountingTimeProvider()
        : this(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>
    /// When set, every timer created elapses at once: the clock is advanced by its due time, so a test can run
    /// backoffs without waiting them out.
    /// </summary>
    public bool AdvanceToEachTimer { get; init; }

    /// <summary>How many timers are armed: created or changed with a due time, not yet fired (one-shot) or disposed.</summary>
    public int WaitingTimers => Volatile.Read(ref _armed);

    /// <summary>The due time of each timer created, in order.</summary>
    public IReadOnlyList<TimeSpan> TimerDueTimes
    {
        get
        {
            lock (_lock)
            {
                return [.. _dueTimes];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var counted = new CountedTimer(this);
        counted.Inner = base.CreateTimer(counted.Fire, (callback, state), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        // The due time is listed before the timer counts as armed: a test that sees it armed reads its due time.
        lock (_lock)
        {
            _dueTimes.Add(dueTime);
        }

        counted.Change(dueTime, period);

        if (AdvanceToEachTimer && dueTime != Timeout.InfiniteTimeSpan)
        {
            Advance(dueTime);
        }

        return counted;
    }

    private sealed class CountedTimer(TimerCountingTimeProvider owner) : ITimer
    {
        private readonly Lock _lock = new();
        private bool _armed;
        private bool _periodic;
        private int _fired;

        public ITimer Inner { get; set; } = null!;

        public void Fire(object? state)
        {
            lock (_lock)
            {
                _fired++;
                if (!_periodic)
                {
                    SetArmed(false);
                }
            }

            var (callback, inner) = ((TimerCallback, object?))state!;
            callback(inner);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_lock)
            {
                _periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
                var fired = _fired;
                var changed = Inner.Change(dueTime, period);
                // Armed once scheduled, so a test that sees it armed and moves the clock reaches it; not if it fired
                // already (a due time of zero, once).
                SetArmed(dueTime != Timeout.InfiniteTimeSpan && (_periodic || _fired == fired));
                return changed;
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                SetArmed(false);
                Inner.Dispose();
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void SetArmed(bool armed)
        {
            if (armed != _armed)
            {
                _armed = armed;
                Interlocked.Add(ref owner._armed, armed ? 1 : -1);
            }
        }
    }
}
