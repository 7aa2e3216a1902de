namespace Relay.Server.Connections;

/// <summary>
/// A queue for a handful of items between a few threads (a connection's control answers:
/// ACCEPTED, REJECTED, PONG, ERROR), under a lock. A <c>ConcurrentQueue</c> starts with a
/// 32-slot segment, ~1.5 KiB that every connection, idle or not, would hold; this one starts
/// with 4 slots and grows only for a burst.
/// </summary>
/// <typeparam name="T">The item.</typeparam>
internal sealed class SmallQueue<T>
{
    private readonly Queue<T> _items = new(4);

    /// <summary>Whether it holds nothing.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_items)
            {
                return _items.Count == 0;
            }
        }
    }

    /// <summary>Adds an item at the end.</summary>
    public void Enqueue(T item)
    {
        lock (_items)
        {
            _items.Enqueue(item);
        }
    }

    /// <summary>Takes the first item, if any.</summary>
    public bool TryDequeue(out T item)
    {
        lock (_items)
        {
            return _items.TryDequeue(out item!);
        }
    }
}
