using System.Numerics;

namespace Perf.Load.Impairment;

/// <summary>
/// Buffers for the proxy's directions, in power-of-two sizes from a minimum to a maximum, kept for
/// reuse: a direction takes one when bytes arrive and gives it back once it has written them all,
/// so an idle connection holds none and a busy proxy allocates only while its peak grows. Used by
/// the event-loop thread alone (no locking). Buffers beyond <see cref="MaxRetainedBytes"/> are let go.
/// </summary>
internal sealed class LinkBufferPool
{
    /// <summary>Most bytes kept for reuse across all sizes.</summary>
    public const long MaxRetainedBytes = 256L * 1024 * 1024;

    private readonly Stack<LinkBuffer>[] _free;
    private readonly int _minShift;
    private long _retained;

    /// <summary>A pool of buffers from <paramref name="minBytes"/> to <paramref name="maxBytes"/> (powers of two).</summary>
    public LinkBufferPool(int minBytes, int maxBytes)
    {
        if (!BitOperations.IsPow2(minBytes) || !BitOperations.IsPow2(maxBytes) || minBytes > maxBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(minBytes), $"buffer sizes must be powers of two with min <= max; got {minBytes} and {maxBytes}.");
        }

        MinBytes = minBytes;
        MaxBytes = maxBytes;
        _minShift = BitOperations.Log2((uint)minBytes);
        _free = new Stack<LinkBuffer>[BitOperations.Log2((uint)maxBytes) - _minShift + 1];
        for (var i = 0; i < _free.Length; i++)
        {
            _free[i] = new Stack<LinkBuffer>();
        }
    }

    /// <summary>The smallest buffer, what a direction takes first.</summary>
    public int MinBytes { get; }

    /// <summary>The largest buffer: a direction holds at most this many bytes, then stops reading.</summary>
    public int MaxBytes { get; }

    /// <summary>A buffer of <paramref name="bytes"/> bytes (a power of two within the pool's range).</summary>
    public LinkBuffer Rent(int bytes)
    {
        var free = _free[BitOperations.Log2((uint)bytes) - _minShift];
        if (free.TryPop(out var buffer))
        {
            _retained -= bytes;
            return buffer;
        }

        return new LinkBuffer(bytes);
    }

    /// <summary>Takes <paramref name="buffer"/> back for reuse.</summary>
    public void Return(LinkBuffer buffer)
    {
        var bytes = buffer.Bytes.Length;
        if (_retained + bytes <= MaxRetainedBytes)
        {
            _free[BitOperations.Log2((uint)bytes) - _minShift].Push(buffer);
            _retained += bytes;
        }
    }
}
