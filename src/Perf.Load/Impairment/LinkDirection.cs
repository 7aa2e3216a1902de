using System.Diagnostics;
using System.Net.Sockets;

namespace Perf.Load.Impairment;

/// <summary>
/// One direction of a proxied connection: reads what one socket sends, stamps each chunk with
/// the time it may leave (bandwidth, latency ± jitter, loss, outages; never before the chunk
/// ahead of it), and writes it to the other socket when that time comes, in slices if the profile
/// says so. Holds at most the pool's largest buffer: when that is full it stops reading, so the
/// sender's socket fills and the sender feels the link (backpressure, not unbounded buffering).
/// Runs on the event-loop thread only; allocates nothing per chunk.
/// </summary>
internal sealed class LinkDirection
{
    // Largest read when the link has no bandwidth limit.
    private const int MaxChunkBytes = 64 * 1024;

    // Reads per readiness event before the other connections get their turn.
    private const int ReadsPerEvent = 4;

    private readonly Socket _from;
    private readonly Socket _to;
    private readonly bool _up;
    private readonly ConnectionFaults _faults;
    private readonly FaultRandom _random;
    private readonly LinkBufferPool _pool;
    private readonly ProxyCounters _counters;
    private readonly SlicePlan? _slice;
    private readonly long _latencyTicks;
    private readonly long _jitterTicks;
    private readonly double _loss;
    private readonly long _retransmitTicks;
    private readonly double _ticksPerByte;
    private readonly long _sliceDelayTicks;
    private readonly int _maxChunk;

    private LinkBuffer? _buffer;
    private int _first;
    private int _count;
    private int _used;
    private int _tail;
    private long _linkFreeTicks;
    private long _lastReleaseTicks;
    private long _pieceDueTicks;
    private int _pieceLeft;
    private bool _shutdownSent;

    /// <summary>A direction from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public LinkDirection(Socket from, Socket to, bool up, NetworkProfile profile, ConnectionFaults faults, LinkBufferPool pool, ProxyCounters counters)
    {
        _from = from;
        _to = to;
        _up = up;
        _faults = faults;
        _random = up ? faults.Up : faults.Down;
        _pool = pool;
        _counters = counters;
        var link = up ? profile.Up : profile.Down;
        _latencyTicks = Ticks(link.Latency);
        _jitterTicks = Ticks(link.Jitter);
        _loss = link.Loss;
        _retransmitTicks = Ticks(profile.Retransmit);
        _slice = profile.Slice;
        _sliceDelayTicks = _slice is null ? 0 : Ticks(_slice.Delay);
        var bytesPerSecond = link.BitsPerSecond / 8.0;
        _ticksPerByte = link.BitsPerSecond > 0 ? Stopwatch.Frequency / bytesPerSecond : 0;

        // A limited link reads at most ~10 ms of its rate at once, so its output stays smooth.
        _maxChunk = link.BitsPerSecond > 0 ? (int)Math.Clamp(bytesPerSecond / 100, 512, MaxChunkBytes) : MaxChunkBytes;
    }

    /// <summary>The sender closed its side (FIN): once what it sent is written, the receiver gets a FIN too.</summary>
    public bool SourceEnded { get; private set; }

    /// <summary>The receiving socket's buffer was full: wait until it can take more (EPOLLOUT).</summary>
    public bool WriteBlocked { get; set; }

    /// <summary>The sender has ended and everything it sent has been written on.</summary>
    public bool Finished => SourceEnded && _count == 0;

    /// <summary>Whether to watch the sending socket for input: not ended, and room to hold more.</summary>
    public bool WantsRead => !SourceEnded && (_buffer is null || HasRoom());

    /// <summary>Reads what the sender has (a few reads at most). False when the sender reset or failed.</summary>
    public bool Read(long now)
    {
        _buffer ??= _pool.Rent(_pool.MinBytes);
        for (var reads = 0; reads < ReadsPerEvent && !SourceEnded && HasRoom(); reads++)
        {
            var room = Math.Min(FreeContiguous(), _maxChunk);
            var got = _from.Receive(_buffer.Bytes.AsSpan(_tail, room), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                break;
            }

            if (error != SocketError.Success)
            {
                return false;
            }

            if (got == 0)
            {
                SourceEnded = true;
                break;
            }

            Stamp(got, now);
            if (got < room)
            {
                break;
            }
        }

        ReturnBufferIfEmpty();
        return true;
    }

    /// <summary>
    /// Writes every chunk whose time has come, up to <paramref name="allowance"/> bytes (the
    /// connection's <c>reset-after</c> budget, lowered by what is written). Returns when the next
    /// chunk or slice is due (<see cref="long.MaxValue"/>: nothing waits on time); false in
    /// <paramref name="ok"/> when the receiver reset or failed.
    /// </summary>
    public long Write(long now, ref long allowance, out bool ok)
    {
        ok = true;
        while (_count > 0 && !WriteBlocked && allowance > 0)
        {
            ref var chunk = ref _buffer!.Chunks[_first];
            var due = Math.Max(chunk.ReleaseTicks, _pieceDueTicks);
            if (due > now)
            {
                return due;
            }

            var length = chunk.Length;
            if (_slice is not null)
            {
                if (_pieceLeft == 0)
                {
                    _pieceLeft = Math.Max(1, _slice.AverageBytes + (int)_random.NextSymmetric(_slice.VariationBytes));
                }

                length = Math.Min(length, _pieceLeft);
            }

            length = (int)Math.Min(length, allowance);
            var sent = _to.Send(_buffer.Bytes.AsSpan(chunk.Offset, length), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                WriteBlocked = true;
                break;
            }

            if (error != SocketError.Success)
            {
                ok = false;
                return long.MaxValue;
            }

            Consumed(ref chunk, sent, now);
            allowance -= sent;
            WriteBlocked = sent < length;
        }

        if (_count == 0 && SourceEnded && !_shutdownSent)
        {
            _shutdownSent = true;
            ShutdownReceiver();
        }

        ReturnBufferIfEmpty();
        return long.MaxValue;
    }

    /// <summary>Gives the buffer back (the connection is closing).</summary>
    public void Release()
    {
        if (_buffer is not null)
        {
            _pool.Return(_buffer);
            _buffer = null;
        }

        _count = 0;
        _used = 0;
    }

    // The bytes and timing of one read: serialized at the link's rate once the link is free and
    // up, then delayed by latency ± jitter (and a retransmission when this chunk is "lost"), never
    // leaving before the chunk ahead of it nor during an outage.
    private void Stamp(int length, long now)
    {
        var chunks = _buffer!.Chunks;
        ref var chunk = ref chunks[(_first + _count) % chunks.Length];
        chunk.Offset = _tail;
        chunk.Length = length;
        _tail += length;
        _used += length;
        _count++;

        var ready = _faults.OpenAt(Math.Max(now, _linkFreeTicks));
        var stalled = ready != Math.Max(now, _linkFreeTicks);
        if (_ticksPerByte > 0)
        {
            ready += (long)(length * _ticksPerByte);
            _linkFreeTicks = ready;
        }

        var delay = _latencyTicks + _random.NextSymmetric(_jitterTicks);
        if (_loss > 0 && _random.NextDouble() < _loss)
        {
            delay += _retransmitTicks;
            _counters.LossDelay();
        }

        var release = Math.Max(ready + Math.Max(0, delay), _lastReleaseTicks);
        var open = _faults.OpenAt(release);
        if (stalled || open != release)
        {
            _counters.StallDelay();
        }

        chunk.ReleaseTicks = _lastReleaseTicks = open;
    }

    private void Consumed(ref Chunk chunk, int sent, long now)
    {
        chunk.Offset += sent;
        chunk.Length -= sent;
        _used -= sent;
        _counters.Carried(_up, sent);
        if (_slice is not null)
        {
            _pieceLeft -= sent;
            if (_pieceLeft == 0 && _sliceDelayTicks > 0)
            {
                _pieceDueTicks = _faults.OpenAt(now + _sliceDelayTicks);
            }
        }

        if (chunk.Length == 0)
        {
            _first = (_first + 1) % _buffer!.Chunks.Length;
            _count--;
        }
    }

    private void ShutdownReceiver()
    {
        try
        {
            _to.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The receiver is gone; its own event closes the connection.
        }
    }

    // Room for one more chunk: a free record and free bytes, growing the buffer when both are short of the pool's largest.
    private bool HasRoom()
    {
        var buffer = _buffer!;
        if (_count < buffer.Chunks.Length && FreeContiguous() > 0)
        {
            return true;
        }

        if (buffer.Bytes.Length >= _pool.MaxBytes)
        {
            return false;
        }

        Grow();
        return true;
    }

    // Free bytes after the newest chunk, wrapping to the start of the ring when the end is used up.
    private int FreeContiguous()
    {
        var capacity = _buffer!.Bytes.Length;
        if (_used == 0)
        {
            _tail = 0;
            return capacity;
        }

        var head = _buffer.Chunks[_first].Offset;
        if (_tail > head)
        {
            if (_tail < capacity)
            {
                return capacity - _tail;
            }

            _tail = 0;
        }

        return head - _tail;
    }

    // Twice the bytes (and chunk records): the held chunks are copied to the front, in order.
    private void Grow()
    {
        var old = _buffer!;
        var grown = _pool.Rent(old.Bytes.Length * 2);
        var offset = 0;
        for (var i = 0; i < _count; i++)
        {
            var chunk = old.Chunks[(_first + i) % old.Chunks.Length];
            old.Bytes.AsSpan(chunk.Offset, chunk.Length).CopyTo(grown.Bytes.AsSpan(offset));
            chunk.Offset = offset;
            grown.Chunks[i] = chunk;
            offset += chunk.Length;
        }

        _pool.Return(old);
        _buffer = grown;
        _first = 0;
        _tail = offset;
    }

    private void ReturnBufferIfEmpty()
    {
        if (_count == 0 && _buffer is not null)
        {
            _pool.Return(_buffer);
            _buffer = null;
            _first = 0;
            _tail = 0;
            _used = 0;
        }
    }

    private static long Ticks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);
}
