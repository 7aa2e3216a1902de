using System.Buffers;
using System.Buffers.Binary;

namespace Relay.Crypto.Noise.Framing;

/// <summary>
/// The framing the Noise specification suggests for TCP: every message preceded by its length
/// as 2 bytes big-endian. Pure functions over sequences and buffer writers (Bedrock.Framework's
/// split), tested without sockets; <see cref="NoiseChannel"/> runs the loop.
/// </summary>
public static class NoiseFraming
{
    /// <summary>Bytes of the length prefix.</summary>
    public const int PrefixLength = 2;

    /// <summary>
    /// Takes one frame from the start of <paramref name="input"/> if it is all there: on success
    /// <paramref name="frame"/> is the message (a slice of the input, not copied) and
    /// <paramref name="consumed"/> the position after it. Otherwise <paramref name="examined"/>
    /// is the input's end, so the reader waits for more.
    /// </summary>
    /// <exception cref="NoiseException">With <see cref="NoiseError.FrameTooLarge"/> when the length is over <paramref name="maxLength"/>.</exception>
    public static bool TryParseFrame(in ReadOnlySequence<byte> input, int maxLength, ref SequencePosition consumed, ref SequencePosition examined, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        var reader = new SequenceReader<byte>(input);
        if (!reader.TryReadBigEndian(out short signedLength))
        {
            examined = input.End;
            return false;
        }

        var length = (ushort)signedLength;
        if (length > maxLength)
        {
            throw new NoiseException(NoiseError.FrameTooLarge, $"a frame of {length} bytes is over the {maxLength}-byte limit");
        }

        if (reader.Remaining < length)
        {
            examined = input.End;
            return false;
        }

        frame = input.Slice(reader.Position, length);
        consumed = frame.End;
        examined = consumed;
        return true;
    }

    /// <summary>Writes the length prefix of a <paramref name="length"/>-byte message.</summary>
    public static void WritePrefix(Span<byte> destination, int length)
    {
        if ((uint)length > ushort.MaxValue)
        {
            throw new NoiseException(NoiseError.MessageTooLarge, $"a message of {length} bytes does not fit a 2-byte length");
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
    }

    /// <summary>Writes one frame (prefix and message) into <paramref name="output"/>.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(PrefixLength + message.Length);
        WritePrefix(span, message.Length);
        message.CopyTo(span[PrefixLength..]);
        output.Advance(PrefixLength + message.Length);
    }
}
