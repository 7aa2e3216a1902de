using Perf.Testing.Allocations;
using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Perf.Testing.Bytes;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Tests.Frames;

public sealed class FrameCodecTests
{
    private static readonly Identity Alice = new(RandomNumberGenerator.GetBytes(32));
    private static readonly byte[] Envelope = RandomNumberGenerator.GetBytes(300);

    private static RelayFrame Read(ArrayBufferWriter<byte> written)
    {
        Assert.Equal(FrameError.None, FrameCodec.TryRead(new ReadOnlySequence<byte>(written.WrittenMemory), FrameLimits.Default, out var frame));
        return frame;
    }

    [Fact]
    public void Send_round_trips()
    {
        var w = new ArrayBufferWriter<byte>();
        FrameCodec.WriteSend(w, 42, Alice, Envelope);
        var f = Read(w);
        Assert.Equal(FrameType.Send, f.Type);
        Assert.Equal(42UL, f.ClientMessageId);
        Assert.Equal(Alice, f.Identity);
        Assert.Equal(Envelope, f.Envelope.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Deliver_round_trips_with_or_without_a_sender(bool sealedSender)
    {
        var w = new ArrayBufferWriter<byte>();
        FrameCodec.WriteDeliver(w, 7, Alice, sealedSender, Envelope);
        var f = Read(w);
        Assert.Equal(FrameType.Deliver, f.Type);
        Assert.Equal(7UL, f.RelayMessageId);
        Assert.Equal(sealedSender ? default : Alice, f.Identity);
        Assert.Equal(sealedSender ? FrameCodec.SealedSenderFlag : 0, f.Flags);
        Assert.Equal(Envelope, f.Envelope.ToArray());
    }

    [Fact]
    public void Control_frames_round_trip()
    {
        var w = new ArrayBufferWriter<byte>();
        FrameCodec.WriteAck(w, 9);
        Assert.Equal((FrameType.Ack, 9UL), (Read(w).Type, Read(w).RelayMessageId));
        w.Clear();
        FrameCodec.WriteAccepted(w, 1, 2);
        Assert.Equal((1UL, 2UL), (Read(w).ClientMessageId, Read(w).RelayMessageId));
        w.Clear();
        FrameCodec.WriteRejected(w, 3, RejectReason.MailboxFull);
        Assert.Equal((FrameType.Rejected, (byte)RejectReason.MailboxFull), (Read(w).Type, Read(w).Code));
        w.Clear();
        FrameCodec.WritePing(w, 0xDEADBEEF);
        Assert.Equal((FrameType.Ping, 0xDEADBEEFUL), (Read(w).Type, Read(w).ClientMessageId));
        w.Clear();
        FrameCodec.WritePong(w, 5);
        Assert.Equal(FrameType.Pong, Read(w).Type);
        w.Clear();
        FrameCodec.WriteError(w, FrameError.UnknownType, "unknown frame type 0x99");
        Assert.Equal((byte)FrameError.UnknownType, Read(w).Code);
        Assert.Equal("unknown frame type 0x99", Encoding.UTF8.GetString(Read(w).Envelope.ToArray()));
    }

    [Fact]
    public void A_frame_split_across_segments_parses_the_same()
    {
        var w = new ArrayBufferWriter<byte>();
        FrameCodec.WriteSend(w, 42, Alice, Envelope);
        var bytes = w.WrittenSpan.ToArray();
        var sequence = SegmentedSequence.Of(bytes.AsMemory(0, 20), bytes.AsMemory(20, 100), bytes.AsMemory(120));

        Assert.Equal(FrameError.None, FrameCodec.TryRead(sequence, FrameLimits.Default, out var frame));
        Assert.Equal(Envelope, frame.Envelope.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { }, FrameError.Truncated)]
    [InlineData(new byte[] { 0x99 }, FrameError.UnknownType)]
    [InlineData(new byte[] { 0x00 }, FrameError.UnknownType)]
    [InlineData(new byte[] { 0x03, 0, 0, 0 }, FrameError.Truncated)]
    [InlineData(new byte[] { 0x03, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF }, FrameError.TrailingBytes)]
    [InlineData(new byte[] { 0x02, 0, 0, 0, 0, 0, 0, 0, 1, 0x04 }, FrameError.BadFlags)]
    [InlineData(new byte[] { 0x08, 1, 250 }, FrameError.ReasonTooLong)]
    [InlineData(new byte[] { 0x08, 1, 5, 65 }, FrameError.Truncated)]
    [InlineData(new byte[] { 0x05, 0, 0, 0, 0, 0, 0, 0, 1 }, FrameError.Truncated)]
    public void Malformed_frames_give_their_specific_error(byte[] bytes, FrameError expected) =>
        Assert.Equal(expected, FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes), FrameLimits.Default, out _));

    [Fact]
    public void An_envelope_over_the_limit_or_shorter_than_its_length_is_refused()
    {
        var w = new ArrayBufferWriter<byte>();
        FrameCodec.WriteSend(w, 1, Alice, new byte[100]);
        var bytes = w.WrittenSpan.ToArray();
        Assert.Equal(FrameError.EnvelopeTooLarge, FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes), new FrameLimits { MaxEnvelopeBytes = 99 }, out _));
        Assert.Equal(FrameError.Truncated, FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes, 0, bytes.Length - 1), FrameLimits.Default, out _));
        Assert.Equal(FrameError.Truncated, FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes, 0, 30), FrameLimits.Default, out _));
    }

    [Fact]
    public void Parsing_and_writing_allocate_nothing()
    {
        var w = new ArrayBufferWriter<byte>(1024);
        FrameCodec.WriteSend(w, 1, Alice, Envelope);
        var sequence = new ReadOnlySequence<byte>(w.WrittenMemory);
        var failures = 0;
        var id = 0UL;
        Allocations.AssertNone(() =>
        {
            w.ResetWrittenCount();
            FrameCodec.WriteSend(w, id++, Alice, Envelope);
            failures += FrameCodec.TryRead(sequence, FrameLimits.Default, out var frame) == FrameError.None && frame.Envelope.Length == Envelope.Length ? 0 : 1;
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Identities_parse_from_base64_and_refuse_other_sizes()
    {
        Assert.True(Identity.TryParse(Alice.ToString(), out var parsed));
        Assert.Equal(Alice, parsed);
        Assert.False(Identity.TryParse(Convert.ToBase64String(new byte[31]), out _));
        Assert.False(Identity.TryParse("not base64 !", out _));
    }
}
