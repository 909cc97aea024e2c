namespace SseDashboard.Streaming;

/// <summary>
/// A fixed-capacity ring of the newest items, oldest first: adding to a full ring evicts the oldest (compare the Aspire
/// dashboard's <c>CircularBuffer&lt;T&gt;</c>). Not thread-safe: the hub adds and reads under its publish gate.
/// </summary>
public sealed class ReplayRing<T>
{
    private readonly T[] _items;
    private int _head;

    public ReplayRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _items = new T[capacity];
    }

    public int Count { get; private set; }

    /// <summary>Adds <paramref name="item"/> as the newest; true with the item it pushed out when the ring was full.</summary>
    public bool Add(T item, out T? evicted)
    {
        evicted = default;
        if (_items.Length == 0)
        {
            return false;
        }

        if (Count == _items.Length)
        {
            evicted = _items[_head];
            _items[_head] = item;
            _head = (_head + 1) % _items.Length;
            return true;
        }

        _items[(_head + Count) % _items.Length] = item;
        Count++;
        return false;
    }

    /// <summary>The items, oldest first, copied (the ring may change as soon as the caller lets go of its lock).</summary>
    public T[] ToArray()
    {
        var copy = new T[Count];
        for (var i = 0; i < Count; i++)
        {
            copy[i] = _items[(_head + i) % _items.Length];
        }

        return copy;
    }
}
