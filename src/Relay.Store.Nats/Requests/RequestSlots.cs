using System.Buffers.Text;

namespace Relay.Store.Nats.Requests;

/// <summary>
/// Requests of one relay node awaiting an answer from NATS: a ring of reusable slots, each
/// answered on its own reply subject under one wildcard subscription (<c>INBOX.&gt;</c>), so a
/// request costs no request object, timer or inbox of its own. Reservation numbers grow, so the
/// timeout sweep walks only from the oldest request still waiting.
/// </summary>
/// <typeparam name="T">What an answer becomes.</typeparam>
internal sealed class RequestSlots<T>
{
    private readonly RequestSlot<T>[] _slots;
    private long _next;
    private long _sweptUpTo;

    /// <param name="inbox">The reply subjects' prefix.</param>
    /// <param name="size">How many requests may wait at once (a power of two).</param>
    public RequestSlots(string inbox, int size)
    {
        if (size <= 0 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "a power of two");
        }

        Inbox = inbox;
        _slots = new RequestSlot<T>[size];
        for (var i = 0; i < size; i++)
        {
            _slots[i] = new RequestSlot<T>(inbox, i);
        }
    }

    /// <summary>The reply subjects' prefix.</summary>
    public string Inbox { get; }

    /// <summary>Takes a slot for a new request; <c>null</c> when the ring is full of waiting ones.</summary>
    public RequestSlot<T>? Reserve()
    {
        var number = Interlocked.Increment(ref _next) - 1;
        var slot = _slots[number & (_slots.Length - 1)];
        return slot.TryReserve(number) ? slot : null;
    }

    /// <summary>The slot <paramref name="replySubject"/> (<c>INBOX.slot.epoch</c>) names, and the epoch it was sent under; <c>null</c> for anything else.</summary>
    public RequestSlot<T>? Find(string replySubject, out int epoch)
    {
        epoch = 0;
        var tail = replySubject.AsSpan();
        if (!tail.StartsWith(Inbox, StringComparison.Ordinal) || tail.Length <= Inbox.Length + 1 || tail[Inbox.Length] != '.')
        {
            return null;
        }

        tail = tail[(Inbox.Length + 1)..];
        var dot = tail.IndexOf('.');
        Span<byte> ascii = stackalloc byte[24];
        if (dot <= 0 || tail.Length > ascii.Length
            || System.Text.Encoding.ASCII.GetBytes(tail, ascii) != tail.Length
            || !Utf8Parser.TryParse(ascii[..dot], out int index, out var indexLength) || indexLength != dot
            || !Utf8Parser.TryParse(ascii[(dot + 1)..tail.Length], out epoch, out var epochLength) || epochLength != tail.Length - dot - 1
            || (uint)index >= (uint)_slots.Length)
        {
            return null;
        }

        return _slots[index];
    }

    /// <summary>
    /// Gives up (with <paramref name="outcome"/>) every request that started before
    /// <paramref name="startedBefore"/> and is still waiting, calling <paramref name="abandoned"/>
    /// with each one's start first; returns how many.
    /// </summary>
    public int AbandonOlderThan(long startedBefore, T outcome, Action<long>? abandoned = null)
    {
        lock (_slots)
        {
            var count = 0;
            var next = Volatile.Read(ref _next);
            var number = _sweptUpTo;
            for (; number < next; number++)
            {
                var slot = _slots[number & (_slots.Length - 1)];
                if (slot.Number != number || !slot.IsWaiting)
                {
                    continue; // answered (and maybe reused since)
                }

                if (slot.Started >= startedBefore)
                {
                    break; // younger ones follow
                }

                var started = slot.Started;
                if (slot.TryAbandon(outcome))
                {
                    abandoned?.Invoke(started);
                    count++;
                }
            }

            _sweptUpTo = number;
            return count;
        }
    }
}
