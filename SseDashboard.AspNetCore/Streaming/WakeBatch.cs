using System.Buffers;

namespace SseDashboard.Streaming;

/// <summary>
/// Writers a fan-out woke, run a batch at a time on the thread pool: each runs up to its next wait (its write, flush
/// and send) before the next starts. One thread-pool item per writer cost a dispatch per stream per event.
/// </summary>
internal sealed class WakeBatch : IThreadPoolWorkItem
{
    /// <summary>Writers per batch: enough to amortise a dispatch, few enough that both cores share a fan-out.</summary>
    public const int Size = 256;

    private readonly EventQueue[] _queues = ArrayPool<EventQueue>.Shared.Rent(Size);
    private int _count;

    /// <summary>
    /// Adds a queue whose writer is to be woken; a full batch starts at once and the next add begins another. A reader
    /// that may block (<see cref="EventQueue.InlineWake"/> unset) is woken on its own work item instead.
    /// </summary>
    public static void Add(ref WakeBatch? batch, EventQueue queue)
    {
        if (!queue.InlineWake)
        {
            queue.WakeLater();
            return;
        }

        batch ??= new WakeBatch();
        batch._queues[batch._count++] = queue;
        if (batch._count == Size)
        {
            Start(ref batch);
        }
    }

    /// <summary>Starts the batch being filled, if any.</summary>
    public static void Start(ref WakeBatch? batch)
    {
        if (batch is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(batch, preferLocal: false);
            batch = null;
        }
    }

    public void Execute()
    {
        for (var i = 0; i < _count; i++)
        {
            _queues[i].Wake();
        }

        ArrayPool<EventQueue>.Shared.Return(_queues, clearArray: true);
    }
}
