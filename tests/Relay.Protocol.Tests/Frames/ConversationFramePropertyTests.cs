using System.Buffers;
using CsCheck;
using Perf.Testing.Bytes;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Tests.Frames;

/// <summary>
/// Properties of the conversation frames (OPEN_MAILBOX, MAILBOX_SEND) over random fields: they read
/// back the same however they are split, write back byte for byte, and every proper prefix is
/// truncated, never an exception.
/// </summary>
public sealed class ConversationFramePropertyTests
{
    private static readonly Gen<byte[]> Frames =
        Gen.Select(Gen.Bool, Gen.ULong, Gen.ULong, Gen.Byte.Array[32], Gen.Byte.Array[32], Gen.Byte.Array[DeliveryToken.Size], Gen.Byte.Array[0, 300])
            .Select((open, id, expiry, first, second, token, envelope) =>
            {
                var writer = new ArrayBufferWriter<byte>();
                if (open)
                {
                    FrameCodec.WriteOpenMailbox(writer, id, first, second, expiry);
                }
                else
                {
                    FrameCodec.WriteMailboxSend(writer, id, first, expiry, new DeliveryToken(token), envelope);
                }

                return writer.WrittenSpan.ToArray();
            });

    [Fact]
    public void Written_conversation_frames_read_back_and_write_back_the_same_however_they_are_split() =>
        Gen.Select(Frames, Gen.Int[1, 64]).Sample((bytes, chunk) =>
        {
            Assert.Equal(FrameError.None, FrameCodec.TryRead(SegmentedSequence.Split(bytes, chunk), FrameLimits.Default, out var frame));
            Assert.True(frame.Type is FrameType.OpenMailbox or FrameType.MailboxSend);
            Assert.Equal(bytes, FrameRewrite.Write(frame));
        }, iter: 2_000);

    [Fact]
    public void Every_proper_prefix_of_a_conversation_frame_is_truncated() =>
        Gen.Select(Frames, Gen.Int[0, int.MaxValue]).Sample((bytes, cut) =>
            Assert.Equal(FrameError.Truncated, FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes, 0, cut % bytes.Length), FrameLimits.Default, out _)), iter: 2_000);
}
