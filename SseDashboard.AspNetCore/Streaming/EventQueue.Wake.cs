using System.Threading.Tasks.Sources;

namespace SseDashboard.Streaming;

/// <summary>How the queue's one reader waits, and where it runs when woken.</summary>
public sealed partial class EventQueue : IValueTaskSource<bool>, IThreadPoolWorkItem
{
    // The reader's continuation runs where the signal is set: on a fan-out's wake batch (InlineWake), or on this queue
    // as its own thread-pool work item; never on a signaller that holds a lock.
    private ManualResetValueTaskSourceCore<bool> _signal;

    /// <summary>
    /// Whether a fan-out may run the reader on its wake batch's thread (<see cref="WakeBatch"/>), up to its next wait:
    /// only for a reader that never blocks there, since the rest of the batch waits for it. The <c>/sse</c> writer
    /// sets it (its flush sends or queues, and waits asynchronously); any other reader is woken on its own work item.
    /// </summary>
    internal bool InlineWake { get; set; }

    /// <summary>Waits until events are queued (true) or the queue has ended with nothing left (false).</summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (_lock)
        {
            if (_pendingCount > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            _signal.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _signal.Version);
        }
    }

    /// <summary>Runs the waiting reader on this thread, up to its next wait; only after an enqueue that said to wake.</summary>
    internal void Wake() => _signal.SetResult(true);

    /// <summary>Wakes the waiting reader on a thread-pool work item of its own; only after an enqueue that said to wake.</summary>
    internal void WakeLater() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    private void Signal(bool wake)
    {
        if (wake)
        {
            WakeLater();
        }
    }

    void IThreadPoolWorkItem.Execute() => Wake();

    bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _signal.OnCompleted(continuation, state, token, flags);
}
