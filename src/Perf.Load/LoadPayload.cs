using System.Buffers.Binary;

namespace Perf.Load;

/// <summary>
/// The plaintext of a load-test message: the sequence number and the intended send time
/// (Stopwatch ticks, the generator's own monotonic clock), then filler up to the message size.
/// It travels inside the E2E-sealed envelope, so the relay never sees the timestamps.
/// </summary>
public static class LoadPayload
{
    /// <summary>Bytes taken by the header: sequence number (8) and intended send time (8).</summary>
    public const int HeaderSize = 16;

    /// <summary>Writes the header into the start of <paramref name="payload"/>; the rest is left as the caller filled it.</summary>
    public static void Write(Span<byte> payload, long sequence, long intendedTicks)
    {
        BinaryPrimitives.WriteInt64LittleEndian(payload, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], intendedTicks);
    }

    /// <summary>Reads the header; false when the payload is too short to hold one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out long sequence, out long intendedTicks)
    {
        if (payload.Length < HeaderSize)
        {
            sequence = 0;
            intendedTicks = 0;
            return false;
        }

        sequence = BinaryPrimitives.ReadInt64LittleEndian(payload);
        intendedTicks = BinaryPrimitives.ReadInt64LittleEndian(payload[8..]);
        return true;
    }
}
