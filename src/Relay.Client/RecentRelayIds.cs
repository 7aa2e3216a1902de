namespace Relay.Client;

/// <summary>
/// The relay message ids a client saw most recently, bounded: what an application needs to drop a
/// message the relay (or another node of a relay cluster) delivered again because an ACK was lost
/// on a drop. Relay ids are unique per relay (JetStream: across nodes and restarts). Not thread-safe.
/// </summary>
public sealed class RecentRelayIds
{
    private readonly HashSet<ulong> _seen;
    private readonly Queue<ulong> _order;
    private readonly int _capacity;

    /// <summary>Remembers up to <paramref name="capacity"/> ids, forgetting the oldest first.</summary>
    public RecentRelayIds(int capacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _seen = new HashSet<ulong>(capacity);
        _order = new Queue<ulong>(capacity);
    }

    /// <summary>Records <paramref name="relayMessageId"/>; <c>false</c> when it was already among the recent ones (a duplicate).</summary>
    public bool Add(ulong relayMessageId)
    {
        if (!_seen.Add(relayMessageId))
        {
            return false;
        }

        _order.Enqueue(relayMessageId);
        if (_order.Count > _capacity)
        {
            _seen.Remove(_order.Dequeue());
        }

        return true;
    }
}
