using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using CsCheck;
using Perf.Testing.Bytes;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Tests.Frames;

/// <summary>
/// Properties of the frame reader over generated frames and hostile bytes: what the writers write
/// reads back the same however it is split, and anything else gives a <see cref="FrameError"/>,
/// never an exception. Iteration counts are set so each property takes well under a second.
/// </summary>
public sealed class FrameCodecPropertyTests
{
    /// <summary>Every frame type with random fields, as a writer call.</summary>
    private static readonly Gen<FrameSpec> Specs =
        Gen.Select(Gen.Int[1, 8], Gen.ULong, Gen.ULong, Gen.Byte.Array[Identity.Size], Gen.Bool, Gen.Byte, Gen.Byte.Array[0, 300], Gen.String[0, 90])
            .Select((type, first, second, identity, sealedSender, code, envelope, reason) =>
                new FrameSpec((FrameType)type, first, second, new Identity(identity), sealedSender, code, envelope, reason));

    private static readonly Gen<int> Chunks = Gen.Int[1, 64];

    [Fact]
    public void Written_frames_read_back_the_same_however_they_are_split() =>
        Gen.Select(Specs, Chunks).Sample((spec, chunk) =>
        {
            var bytes = spec.Write();
            Assert.Equal(FrameError.None, FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes), FrameLimits.Default, out var whole));
            spec.AssertRead(whole);
            Assert.Equal(FrameError.None, FrameCodec.TryRead(SegmentedSequence.Split(bytes, chunk), FrameLimits.Default, out var split));
            spec.AssertRead(split);
        }, iter: 3_000);

    [Fact]
    public void Every_proper_prefix_of_a_frame_is_truncated() =>
        Specs.Sample(spec =>
        {
            var bytes = spec.Write();
            for (var length = 0; length < bytes.Length; length++)
            {
                Assert.Equal(FrameError.Truncated, FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes, 0, length), FrameLimits.Default, out _));
            }
        }, iter: 300);

    [Fact]
    public void Bytes_after_a_frame_are_refused() =>
        Gen.Select(Specs, Gen.Byte.Array[1, 16]).Sample((spec, extra) =>
            Assert.Equal(FrameError.TrailingBytes, FrameCodec.TryRead(new ReadOnlySequence<byte>([.. spec.Write(), .. extra]), FrameLimits.Default, out _)),
            iter: 2_000);

    [Fact]
    public void An_envelope_length_over_the_limit_is_refused_whatever_follows() =>
        Gen.Select(Gen.UInt[(uint)FrameLimits.Default.MaxEnvelopeBytes + 1, uint.MaxValue], Gen.Byte.Array[0, 64], Gen.Bool).Sample((length, body, deliver) =>
        {
            var frame = new byte[deliver ? FrameCodec.DeliverOverhead - Identity.Size : FrameCodec.SendOverhead];
            frame[0] = (byte)(deliver ? FrameType.Deliver : FrameType.Send);
            if (deliver)
            {
                frame[9] = FrameCodec.SealedSenderFlag;
            }

            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(frame.Length - 4), length);
            Assert.Equal(FrameError.EnvelopeTooLarge, FrameCodec.TryRead(new ReadOnlySequence<byte>([.. frame, .. body]), FrameLimits.Default, out _));
        }, iter: 2_000);

    [Fact]
    public void Bit_flipped_frames_are_refused_or_read_as_the_bytes_they_are() =>
        Specs.SelectMany(spec => Gen.Int[0, (spec.Write().Length * 8) - 1].Select(bit => (spec, bit))).Sample(sample =>
        {
            var bytes = sample.spec.Write();
            bytes[sample.bit / 8] ^= (byte)(1 << (sample.bit % 8));
            AssertRefusedOrCanonical(bytes, 5);
        }, iter: 3_000);

    [Fact]
    public void Arbitrary_bytes_give_a_frame_error_never_an_exception() =>
        Gen.Select(Gen.Byte.Array[0, 120], Chunks).Sample(AssertRefusedOrCanonical, iter: 5_000);

    // The contract on any input: a defined error, the same in any segmentation, and an accepted
    // frame is the one encoding the writers produce.
    private static void AssertRefusedOrCanonical(byte[] bytes, int chunk)
    {
        var error = FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes), FrameLimits.Default, out var frame);
        Assert.True(Enum.IsDefined(error), $"not a FrameError: {(byte)error}");
        Assert.Equal(error, FrameCodec.TryRead(SegmentedSequence.Split(bytes, chunk), FrameLimits.Default, out _));
        if (error == FrameError.None && FrameRewrite.Write(frame) is { } rewritten)
        {
            Assert.Equal(bytes, rewritten);
        }
    }

    /// <summary>One frame as the writers take it; <see cref="AssertRead"/> checks a parse against it.</summary>
    private sealed record FrameSpec(FrameType Type, ulong First, ulong Second, Identity Identity, bool SealedSender, byte Code, byte[] Envelope, string Reason)
    {
        // WriteError cuts the reason to 66 characters before encoding it.
        private byte[] ReasonBytes => Encoding.UTF8.GetBytes(Reason[..Math.Min(Reason.Length, 200 / 3)]);

        public byte[] Write()
        {
            var writer = new ArrayBufferWriter<byte>();
            switch (Type)
            {
                case FrameType.Send: FrameCodec.WriteSend(writer, First, Identity, Envelope); break;
                case FrameType.Deliver: FrameCodec.WriteDeliver(writer, Second, SealedSender ? default : Identity, SealedSender, Envelope); break;
                case FrameType.Ack: FrameCodec.WriteAck(writer, Second); break;
                case FrameType.Accepted: FrameCodec.WriteAccepted(writer, First, Second); break;
                case FrameType.Rejected: FrameCodec.WriteRejected(writer, First, (RejectReason)Code); break;
                case FrameType.Ping: FrameCodec.WritePing(writer, First); break;
                case FrameType.Pong: FrameCodec.WritePong(writer, First); break;
                default: FrameCodec.WriteError(writer, (FrameError)Code, Reason); break;
            }

            return writer.WrittenSpan.ToArray();
        }

        public void AssertRead(in RelayFrame frame)
        {
            Assert.Equal(Type, frame.Type);
            switch (Type)
            {
                case FrameType.Send:
                    Assert.Equal((First, Identity), (frame.ClientMessageId, frame.Identity));
                    Assert.Equal(Envelope, frame.Envelope.ToArray());
                    break;
                case FrameType.Deliver:
                    Assert.Equal((Second, SealedSender ? default : Identity, SealedSender ? FrameCodec.SealedSenderFlag : (byte)0), (frame.RelayMessageId, frame.Identity, frame.Flags));
                    Assert.Equal(Envelope, frame.Envelope.ToArray());
                    break;
                case FrameType.Ack:
                    Assert.Equal(Second, frame.RelayMessageId);
                    break;
                case FrameType.Accepted:
                    Assert.Equal((First, Second), (frame.ClientMessageId, frame.RelayMessageId));
                    break;
                case FrameType.Rejected:
                    Assert.Equal((First, Code), (frame.ClientMessageId, frame.Code));
                    break;
                case FrameType.Ping or FrameType.Pong:
                    Assert.Equal(First, frame.ClientMessageId);
                    break;
                default:
                    Assert.Equal(Code, frame.Code);
                    Assert.Equal(ReasonBytes, frame.Envelope.ToArray());
                    break;
            }
        }
    }
}
