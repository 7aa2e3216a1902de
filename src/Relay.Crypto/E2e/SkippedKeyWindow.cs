using System.Security.Cryptography;

namespace Relay.Crypto.E2e;

/// <summary>
/// Message keys of messages that were skipped over (arrived out of order), kept so they can
/// still be opened later: a fixed-capacity ring, oldest evicted first, allocated once per
/// session so that neither in-order nor out-of-order opens allocate.
/// </summary>
internal sealed class SkippedKeyWindow
{
    private readonly uint[] _counters;
    private readonly bool[] _used;
    private readonly byte[] _keys;
    private int _next;

    public SkippedKeyWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _counters = new uint[capacity];
        _used = new bool[capacity];
        _keys = new byte[capacity * SymmetricChain.KeySize];
    }

    public int Capacity => _counters.Length;

    /// <summary>Finds the key kept for <paramref name="counter"/>; returns its slot or -1.</summary>
    public int Find(uint counter)
    {
        for (var i = 0; i < _counters.Length; i++)
        {
            if (_used[i] && _counters[i] == counter)
            {
                return i;
            }
        }

        return -1;
    }

    public ReadOnlySpan<byte> Key(int slot) => _keys.AsSpan(slot * SymmetricChain.KeySize, SymmetricChain.KeySize);

    /// <summary>Keeps <paramref name="key"/> for <paramref name="counter"/>, evicting the oldest key when full.</summary>
    public void Add(uint counter, ReadOnlySpan<byte> key)
    {
        if (_counters.Length == 0)
        {
            return;
        }

        _counters[_next] = counter;
        _used[_next] = true;
        key.CopyTo(_keys.AsSpan(_next * SymmetricChain.KeySize, SymmetricChain.KeySize));
        _next = (_next + 1) % _counters.Length;
    }

    /// <summary>Forgets a key once its message is opened, so a replay finds nothing.</summary>
    public void Remove(int slot)
    {
        _used[slot] = false;
        CryptographicOperations.ZeroMemory(_keys.AsSpan(slot * SymmetricChain.KeySize, SymmetricChain.KeySize));
    }

    public void Clear()
    {
        Array.Clear(_used);
        CryptographicOperations.ZeroMemory(_keys);
    }
}
