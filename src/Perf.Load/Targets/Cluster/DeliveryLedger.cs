namespace Perf.Load.Targets.Cluster;

/// <summary>
/// One flag byte per message sequence of a run (measured, accepted, finally rejected, delivered),
/// in chunks of 64 Ki messages made on first use, so that after the run each measured message can
/// be judged on its own: accepted but never delivered is lost, sent but never answered is
/// unanswered. Counters could not tell a message accepted twice (a resend) from two messages.
/// </summary>
public sealed class DeliveryLedger
{
    private const byte Measured = 1;
    private const byte Accepted = 2;
    private const byte Rejected = 4;
    private const byte Delivered = 8;
    private const int ChunkBits = 16;
    private const int ChunkMask = (1 << ChunkBits) - 1;
    private readonly object _grow = new();
    private byte[]?[] _chunks = new byte[]?[16];

    /// <summary>Notes that <paramref name="sequence"/> was sent in the measured window.</summary>
    public void MarkMeasured(long sequence) => Set(sequence, Measured);

    /// <summary>Notes an ACCEPTED for <paramref name="sequence"/>.</summary>
    public void MarkAccepted(long sequence) => Set(sequence, Accepted);

    /// <summary>Notes a final REJECTED (one that is not retried) for <paramref name="sequence"/>.</summary>
    public void MarkRejected(long sequence) => Set(sequence, Rejected);

    /// <summary>Notes the first delivery of <paramref name="sequence"/>.</summary>
    public void MarkDelivered(long sequence) => Set(sequence, Delivered);

    /// <summary>Counts the measured messages: accepted but never delivered (lost), and neither accepted nor rejected (unanswered).</summary>
    public (long Lost, long Unanswered) Count()
    {
        long lost = 0;
        long unanswered = 0;
        foreach (var chunk in Volatile.Read(ref _chunks))
        {
            if (chunk is null)
            {
                continue;
            }

            foreach (var flags in chunk)
            {
                if ((flags & Measured) == 0 || (flags & Delivered) != 0)
                {
                    continue;
                }

                if ((flags & Accepted) != 0)
                {
                    lost++;
                }
                else if ((flags & Rejected) == 0)
                {
                    unanswered++;
                }
            }
        }

        return (lost, unanswered);
    }

    private void Set(long sequence, byte flag)
    {
        if (sequence < 0)
        {
            return;
        }

        var chunk = Chunk(sequence >> ChunkBits);
        ref var cell = ref chunk[sequence & ChunkMask];

        // The sender's and the recipient's threads set flags of one message: OR in place without losing a bit.
        byte current;
        do
        {
            current = Volatile.Read(ref cell);
        }
        while ((current & flag) == 0 && Interlocked.CompareExchange(ref cell, (byte)(current | flag), current) != current);
    }

    private byte[] Chunk(long index)
    {
        var chunks = Volatile.Read(ref _chunks);
        if (index < chunks.Length && Volatile.Read(ref chunks[index]) is { } existing)
        {
            return existing;
        }

        lock (_grow)
        {
            chunks = _chunks;
            if (index >= chunks.Length)
            {
                var grown = new byte[]?[Math.Max(chunks.Length * 2, (int)index + 1)];
                Array.Copy(chunks, grown, chunks.Length);
                Volatile.Write(ref _chunks, grown);
                chunks = grown;
            }

            return chunks[index] ??= new byte[1 << ChunkBits];
        }
    }
}
