using System.Collections.ObjectModel;

namespace SseDashboard.Tests.Infrastructure;

/// <summary>
/// Where an in-memory exporter adds what it exports while the test reads it: every add and every read under one lock
/// (the exporter adds to the collection it is given without one).
/// </summary>
public sealed class LockedList<T> : Collection<T>
{
    public T[] Snapshot()
    {
        lock (Items)
        {
            return [.. Items];
        }
    }

    protected override void InsertItem(int index, T item)
    {
        lock (Items)
        {
            base.InsertItem(index, item);
        }
    }

    protected override void ClearItems()
    {
        lock (Items)
        {
            base.ClearItems();
        }
    }
}
