using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using CsCheck;
using Perf.Testing.Allocations;
using Perf.Testing.Bytes;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Tests.Frames;

/// <summary>
/// The conversation-mailbox frames (OPEN_MAILBOX, MAILBOX_SEND): byte layouts as docs/protocol.md
/// gives them, round trips however the bytes are split, every truncation and trailing byte refused,
/// an oversized envelope refused, hostile bytes answered with a frame error, and parsing allocation-free.
/// </summary>
public sealed class ConversationFrameTests
{
    private static readonly byte[] Credential = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Verifier = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] FetchVerifier = RandomNumberGenerator.GetBytes(32);
    private static readonly DeliveryToken Token = new(RandomNumberGenerator.GetBytes(16));
    private static readonly byte[] Envelope = RandomNumberGenerator.GetBytes(120);

    [Fact]
    public void Open_mailbox_is_81_bytes_laid_out_as_documented()
    {
        var bytes = Write(w => FrameCodec.WriteOpenMailbox(w, 0x0102030405060708, Credential, Verifier, 1_900_000_000));
        Assert.Equal(81, bytes.Length);
        Assert.Equal(0x0D, bytes[0]);
        Assert.Equal(0x0102030405060708UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(1)));
        Assert.Equal(Credential, bytes[9..41]);
        Assert.Equal(Verifier, bytes[41..73]);
        Assert.Equal(1_900_000_000UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(73)));
        var frame = Read(bytes);
        Assert.Equal((FrameType.OpenMailbox, 0x0102030405060708UL, 1_900_000_000UL), (frame.Type, frame.ClientMessageId, frame.MailboxExpiry));
        Assert.Equal([.. Credential, .. Verifier], frame.Envelope.ToArray());
    }

    [Fact]
    public void Mailbox_send_is_69_bytes_plus_the_envelope_laid_out_as_documented()
    {
        var bytes = Write(w => FrameCodec.WriteMailboxSend(w, 7, FetchVerifier, 1_900_000_000, Token, Envelope));
        Assert.Equal(69 + Envelope.Length, bytes.Length);
        Assert.Equal(0x0E, bytes[0]);
        Assert.Equal(FetchVerifier, bytes[9..41]);
        Assert.Equal(1_900_000_000UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(41)));
        var token = new byte[16];
        Token.CopyTo(token);
        Assert.Equal(token, bytes[49..65]);
        Assert.Equal((uint)Envelope.Length, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(65)));
        var frame = Read(bytes);
        Assert.Equal((FrameType.MailboxSend, 7UL, 1_900_000_000UL, Token), (frame.Type, frame.ClientMessageId, frame.MailboxExpiry, frame.Token));
        Assert.Equal(FetchVerifier, frame.Identity.ToArray());
        Assert.Equal(Envelope, frame.Envelope.ToArray());
    }

    [Fact]
    public void Every_truncation_trailing_byte_and_oversized_envelope_is_refused()
    {
        var frames = new[]
        {
            Write(w => FrameCodec.WriteOpenMailbox(w, 1, Credential, Verifier, 5)),
            Write(w => FrameCodec.WriteMailboxSend(w, 1, FetchVerifier, 5, Token, Envelope)),
            Write(w => FrameCodec.WriteMailboxSend(w, 1, FetchVerifier, 5, Token, [])),
        };
        foreach (var bytes in frames)
        {
            for (var length = 1; length < bytes.Length; length++)
            {
                Assert.Equal(FrameError.Truncated, FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes, 0, length), FrameLimits.Default, out _));
            }

            Assert.Equal(FrameError.TrailingBytes, FrameCodec.TryRead(new ReadOnlySequence<byte>([.. bytes, 0]), FrameLimits.Default, out _));
        }

        Assert.Equal(FrameError.EnvelopeTooLarge, FrameCodec.TryRead(new ReadOnlySequence<byte>(frames[1]), new FrameLimits { MaxEnvelopeBytes = Envelope.Length - 1 }, out _));
        var huge = (byte[])frames[2].Clone();
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(65), uint.MaxValue);
        Assert.Equal(FrameError.EnvelopeTooLarge, FrameCodec.TryRead(new ReadOnlySequence<byte>(huge), FrameLimits.Default, out _));
        Assert.Throws<ArgumentException>(() => Write(w => FrameCodec.WriteOpenMailbox(w, 1, new byte[31], Verifier, 5)));
        Assert.Throws<ArgumentException>(() => Write(w => FrameCodec.WriteMailboxSend(w, 1, new byte[33], 5, Token, Envelope)));
    }

    [Fact]
    public void Parsing_the_new_frames_allocates_nothing()
    {
        var open = new ReadOnlySequence<byte>(Write(w => FrameCodec.WriteOpenMailbox(w, 1, Credential, Verifier, 5)));
        var send = new ReadOnlySequence<byte>(Write(w => FrameCodec.WriteMailboxSend(w, 1, FetchVerifier, 5, Token, Envelope)));
        var writer = new ArrayBufferWriter<byte>(512);
        var failures = 0;
        Allocations.AssertNone(() =>
        {
            writer.ResetWrittenCount();
            FrameCodec.WriteMailboxSend(writer, 2, FetchVerifier, 5, Token, Envelope);
            failures += FrameCodec.TryRead(open, FrameLimits.Default, out var a) == FrameError.None && a.Envelope.Length == 64 ? 0 : 1;
            failures += FrameCodec.TryRead(send, FrameLimits.Default, out var b) == FrameError.None && b.Envelope.Length == Envelope.Length ? 0 : 1;
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Property_generated_frames_round_trip_however_split_and_mutations_are_refused_or_canonical() =>
        Gen.Select(Gen.Bool, Gen.ULong, Gen.ULong, Gen.Byte.Array[32], Gen.Byte.Array[64], Gen.Byte.Array[16], Gen.Byte.Array[0, 300], Gen.Int[1, 64])
            .Select((open, id, expiry, fetch, credentials, token, envelope, chunk) => (open, id, expiry, fetch, credentials, token, envelope, chunk))
            .Sample(s =>
            {
                var bytes = Write(w =>
                {
                    if (s.open)
                    {
                        FrameCodec.WriteOpenMailbox(w, s.id, s.credentials.AsSpan(0, 32), s.credentials.AsSpan(32), s.expiry);
                    }
                    else
                    {
                        FrameCodec.WriteMailboxSend(w, s.id, s.fetch, s.expiry, new DeliveryToken(s.token), s.envelope);
                    }
                });
                Assert.Equal(FrameError.None, FrameCodec.TryRead(SegmentedSequence.Split(bytes, s.chunk), FrameLimits.Default, out var frame));
                Assert.Equal((s.id, s.expiry), (frame.ClientMessageId, frame.MailboxExpiry));
                Assert.Equal(bytes, FrameRewrite.Write(frame));
                bytes[s.chunk % bytes.Length] ^= (byte)(1 << (s.chunk % 8));
                var error = FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes), FrameLimits.Default, out var mutated);
                Assert.True(Enum.IsDefined(error));
                if (error == FrameError.None && FrameRewrite.Write(mutated) is { } rewritten)
                {
                    Assert.Equal(bytes, rewritten);
                }
            }, iter: 3_000);

    private static byte[] Write(Action<ArrayBufferWriter<byte>> write)
    {
        var writer = new ArrayBufferWriter<byte>();
        write(writer);
        return writer.WrittenSpan.ToArray();
    }

    private static RelayFrame Read(byte[] bytes)
    {
        Assert.Equal(FrameError.None, FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes), FrameLimits.Default, out var frame));
        return frame;
    }
}
