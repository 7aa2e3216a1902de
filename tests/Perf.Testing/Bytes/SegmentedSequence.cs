using System.Buffers;

namespace Perf.Testing.Bytes;

/// <summary>
/// Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, as a pipe hands them out when data
/// arrives in pieces: parsers must give the same answer however the bytes are split (shared by
/// the property tests and the fuzz harnesses).
/// </summary>
public static class SegmentedSequence
{
    /// <summary>The bytes in segments of <paramref name="chunk"/> bytes (the last may be shorter; empty input gives an empty sequence).</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> bytes, int chunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        if (bytes.Length <= chunk)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        var first = new Segment(bytes[..chunk], 0);
        var last = first;
        for (var offset = chunk; offset < bytes.Length; offset += chunk)
        {
            last = last.Append(bytes[offset..Math.Min(bytes.Length, offset + chunk)]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>One sequence of exactly these segments, in order (at least one).</summary>
    public static ReadOnlySequence<byte> Of(params ReadOnlyMemory<byte>[] segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentOutOfRangeException.ThrowIfLessThan(segments.Length, 1);
        var first = new Segment(segments[0], 0);
        var last = first;
        for (var i = 1; i < segments.Length; i++)
        {
            last = last.Append(segments[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
