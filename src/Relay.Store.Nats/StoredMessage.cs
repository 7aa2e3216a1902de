using System.Buffers;
using Relay.Protocol.Frames;

namespace Relay.Store.Nats;

/// <summary>
/// What one held message is in JetStream: <c>version (1) = 1 · flags (1: bit 0 sealed sender) ·
/// sender identity (32, zeros when sealed) · envelope</c>. The envelope is the end-to-end
/// ciphertext the client sent: no plaintext reaches NATS. The relay message id is the stream sequence.
/// </summary>
internal static class StoredMessage
{
    public const int HeaderLength = 34;
    private const byte Version = 1;

    public static int Write(Span<byte> destination, Identity sender, bool sealedSender, in ReadOnlySequence<byte> envelope)
    {
        destination[0] = Version;
        destination[1] = sealedSender ? (byte)1 : (byte)0;
        if (sealedSender)
        {
            destination.Slice(2, Identity.Size).Clear();
        }
        else
        {
            sender.CopyTo(destination.Slice(2, Identity.Size));
        }

        envelope.CopyTo(destination[HeaderLength..]);
        return HeaderLength + (int)envelope.Length;
    }

    /// <summary>Reads a stored message as it came off the wire (maybe in pieces); <c>false</c> for anything this version did not write.</summary>
    public static bool TryRead(in ReadOnlySequence<byte> stored, out Identity sender, out bool sealedSender, out ReadOnlySequence<byte> envelope)
    {
        envelope = default;
        Span<byte> copy = stackalloc byte[HeaderLength];
        scoped ReadOnlySpan<byte> header = stored.FirstSpan;
        if (header.Length < HeaderLength && stored.Length >= HeaderLength)
        {
            stored.Slice(0, HeaderLength).CopyTo(copy); // the header itself is split
            header = copy;
        }

        if (!TryReadHeader(header, out sender, out sealedSender))
        {
            return false;
        }

        envelope = stored.Slice(HeaderLength);
        return true;
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> span, out Identity sender, out bool sealedSender)
    {
        sender = default;
        sealedSender = false;
        if (span.Length < HeaderLength || span[0] != Version || (span[1] & ~1) != 0)
        {
            return false;
        }

        sealedSender = (span[1] & 1) != 0;
        sender = sealedSender ? default : new Identity(span.Slice(2, Identity.Size));
        return true;
    }
}
