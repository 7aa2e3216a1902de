using System.Buffers;
using System.Diagnostics;

namespace Relay.Store.Nats.Live;

/// <summary>
/// The order in which one recipient's stored messages enter a node's cache: by stream sequence,
/// never past one that is missing. A republished message links to the newest message on the same
/// subject when it was stored (<c>Nats-Last-Sequence</c>); it follows without a gap when that
/// link is at or below <see cref="Highest"/> (anything between was removed, so nothing is owed).
/// Otherwise it waits in a stash for the missing one (republished copies of two nodes' messages can
/// arrive swapped) or for a read of the stream, which takes held messages oldest first from
/// <see cref="Highest"/> + 1. While a read runs, republished messages wait too. A stashed message
/// the read did not find, though it waited before the read began, is gone from the stream (removed
/// through another node): it is dropped, so a stale link cannot hold the chain. Not thread-safe:
/// its owner locks.
/// </summary>
internal sealed class SequenceChain
{
    private const int MaxStashed = 4_096; // beyond, republished messages are left for the next read
    private SortedList<ulong, Stashed>? _stash;
    private long _gapSince;
    private int _reads;

    /// <summary>Every message up to this sequence has been handed over, or is gone from the stream.</summary>
    public ulong Highest { get; private set; }

    /// <summary>Whether a read of the stream is running (a new chain starts with one).</summary>
    public bool Reading { get; private set; } = true;

    /// <summary>When a republished message started waiting for a missing one (<see cref="Stopwatch"/> ticks), 0 when none waits or a read runs.</summary>
    public long GapSince => Reading ? 0 : _gapSince;

    /// <summary>Messages waiting in the stash.</summary>
    public int Waiting => _stash?.Count ?? 0;

    /// <summary>
    /// A republished message: handed to <paramref name="hold"/> at once when it follows without a gap
    /// (then any stashed ones that now follow too), else stashed. Returns true when this opened a gap.
    /// </summary>
    public bool Offer(ulong sequence, ulong lastSequence, in ReadOnlySequence<byte> payload, IHold hold)
    {
        if (sequence <= Highest)
        {
            return false; // a repeat (a read found it first)
        }

        if (!Reading && lastSequence <= Highest)
        {
            Take(sequence, payload, hold);
            Drain(hold);
            return false;
        }

        Stash(sequence, lastSequence, payload);
        if (Reading || _gapSince != 0)
        {
            return false;
        }

        _gapSince = Stopwatch.GetTimestamp();
        return true;
    }

    /// <summary>Starts a read; false when one runs already.</summary>
    public bool BeginRead()
    {
        if (Reading)
        {
            return false;
        }

        Reading = true;
        _reads++;
        return true;
    }

    /// <summary>A message a read found: the oldest held after <see cref="Highest"/>, so nothing lies between.</summary>
    public void Read(ulong sequence, in ReadOnlySequence<byte> payload, IHold hold)
    {
        if (sequence > Highest)
        {
            Take(sequence, payload, hold);
        }
    }

    /// <summary>The read found nothing more: stashed messages that now follow are handed over. Returns true when a gap is still open (timed from now).</summary>
    public bool EndRead(IHold hold)
    {
        Reading = false;
        _gapSince = 0;
        Drain(hold);
        DropStashedBefore(_reads);
        if (Waiting == 0)
        {
            return false;
        }

        _gapSince = Stopwatch.GetTimestamp();
        return true;
    }

    /// <summary>Gives the stash's buffers back (the recipient left).</summary>
    public void Clear()
    {
        if (_stash is null)
        {
            return;
        }

        foreach (var stashed in _stash.Values)
        {
            ArrayPool<byte>.Shared.Return(stashed.Payload);
        }

        _stash = null;
        _gapSince = 0;
    }

    private void Take(ulong sequence, in ReadOnlySequence<byte> payload, IHold hold)
    {
        Highest = sequence;
        hold.Hold(sequence, payload);
    }

    // Hands over every stashed message that now follows without a gap.
    private void Drain(IHold hold)
    {
        while (_stash is { Count: > 0 })
        {
            var sequence = _stash.Keys[0];
            var stashed = _stash.Values[0];
            if (sequence > Highest && stashed.LastSequence > Highest)
            {
                return; // still missing one before it
            }

            _stash.RemoveAt(0);
            if (sequence > Highest)
            {
                Take(sequence, new ReadOnlySequence<byte>(stashed.Payload, 0, stashed.Length), hold);
            }

            ArrayPool<byte>.Shared.Return(stashed.Payload);
        }

        _gapSince = 0;
    }

    private void Stash(ulong sequence, ulong lastSequence, in ReadOnlySequence<byte> payload)
    {
        _stash ??= [];
        if (_stash.Count >= MaxStashed || _stash.ContainsKey(sequence))
        {
            return; // the read after the gap finds it in the stream
        }

        var copy = ArrayPool<byte>.Shared.Rent(Math.Max(1, (int)payload.Length));
        payload.CopyTo(copy);
        _stash.Add(sequence, new Stashed(lastSequence, copy, (int)payload.Length, _reads));
    }

    // Stashed before read number `read` began and not found by it: removed from the stream since.
    private void DropStashedBefore(int read)
    {
        if (_stash is null)
        {
            return;
        }

        for (var i = _stash.Count - 1; i >= 0; i--)
        {
            var stashed = _stash.Values[i];
            if (stashed.Read < read)
            {
                _stash.RemoveAt(i);
                ArrayPool<byte>.Shared.Return(stashed.Payload);
            }
        }
    }

    // Read: how many reads had begun when it was stashed.
    private readonly record struct Stashed(ulong LastSequence, byte[] Payload, int Length, int Read);
}

/// <summary>Where a <see cref="SequenceChain"/> hands messages, in order.</summary>
internal interface IHold
{
    /// <summary>Takes message <paramref name="sequence"/> (its stored bytes are valid during the call only).</summary>
    void Hold(ulong sequence, in ReadOnlySequence<byte> stored);
}
