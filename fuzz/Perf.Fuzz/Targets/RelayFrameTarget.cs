using System.Buffers;
using System.Text;
using Perf.Testing.Bytes;
using Relay.Protocol.Frames;

namespace Perf.Fuzz.Targets;

/// <summary>
/// The relay frame reader (<see cref="FrameCodec.TryRead"/>), which the relay runs on every
/// decrypted transport message. Contract: never throws, always a defined <see cref="FrameError"/>;
/// the same answer however the bytes are split into segments; a frame accepted under tight limits
/// is accepted the same under the defaults; and an accepted frame written back with the writers
/// gives exactly the input (there is one encoding of every frame).
/// </summary>
internal sealed class RelayFrameTarget : FuzzTarget
{
    private static readonly FrameLimits Tight = new() { MaxEnvelopeBytes = 16, MaxReasonBytes = 4 };
    private static readonly int[] Chunks = [1, 7];
    private static readonly Identity Someone = new(Enumerable.Range(1, Identity.Size).Select(i => (byte)i).ToArray());

    /// <inheritdoc />
    public override string Name => "relay-frame";

    /// <inheritdoc />
    public override string Description => "FrameCodec.TryRead: a FrameError, never an exception; split-invariant; accepted frames re-write byte for byte";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        var error = FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes), FrameLimits.Default, out var frame);
        ContractViolation.Require(Enum.IsDefined(error), $"TryRead returned {(byte)error}, which is no FrameError");
        foreach (var chunk in Chunks)
        {
            var splitError = FrameCodec.TryRead(SegmentedSequence.Split(bytes, chunk), FrameLimits.Default, out var splitFrame);
            ContractViolation.Require(splitError == error, $"in {chunk}-byte segments TryRead gives {splitError}, in one segment {error}");
            ContractViolation.Require(error != FrameError.None || Same(frame, splitFrame), $"in {chunk}-byte segments TryRead reads another frame");
        }

        var tightError = FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes), Tight, out var tightFrame);
        ContractViolation.Require(Enum.IsDefined(tightError), $"TryRead under tight limits returned {(byte)tightError}, which is no FrameError");
        ContractViolation.Require(tightError != FrameError.None || (error == FrameError.None && Same(frame, tightFrame)), $"a frame accepted under tight limits gives {error} under the defaults");
        if (error == FrameError.None)
        {
            CheckRewrite(frame, bytes);
        }
    }

    /// <inheritdoc />
    public override IEnumerable<Seed> Seeds()
    {
        byte[] envelope = [.. Enumerable.Range(0, 40).Select(i => (byte)(i * 7))];
        yield return Write("send", w => FrameCodec.WriteSend(w, 42, Someone, envelope));
        yield return Write("send-empty", w => FrameCodec.WriteSend(w, 0, Someone, []));
        yield return Write("deliver", w => FrameCodec.WriteDeliver(w, 7, Someone, false, envelope));
        yield return Write("deliver-sealed", w => FrameCodec.WriteDeliver(w, 8, default, true, envelope));
        yield return Write("ack", w => FrameCodec.WriteAck(w, 9));
        yield return Write("accepted", w => FrameCodec.WriteAccepted(w, 1, 2));
        yield return Write("rejected", w => FrameCodec.WriteRejected(w, 3, RejectReason.MailboxFull));
        yield return Write("ping", w => FrameCodec.WritePing(w, 0xDEADBEEF));
        yield return Write("pong", w => FrameCodec.WritePong(w, ulong.MaxValue));
        yield return Write("error", w => FrameCodec.WriteError(w, FrameError.ProtocolViolation, "bad frame"));
        var send = Write("send", w => FrameCodec.WriteSend(w, 42, Someone, envelope)).Bytes;
        yield return new Seed("send-truncated", send[..^1]);
        yield return new Seed("send-trailing", [.. send, 0]);
        var oversized = (byte[])send.Clone();
        oversized[41] = 0x7F; // envelope_len's high byte: far over the limit
        yield return new Seed("send-envelope-too-large", oversized);
        var badFlags = Write("deliver", w => FrameCodec.WriteDeliver(w, 7, Someone, false, envelope)).Bytes;
        badFlags[9] = 0x80;
        yield return new Seed("deliver-bad-flags", badFlags);
        yield return Write("sealed-send", w => FrameCodec.WriteSealedSend(w, 43, Someone, new DeliveryToken([.. Enumerable.Range(0, 16).Select(i => (byte)i)]), envelope));
        yield return Write("certificate-request", w => FrameCodec.WriteCertificateRequest(w, 44));
        yield return Write("certificate", w => FrameCodec.WriteCertificate(w, 44, [.. Enumerable.Range(0, 32).Select(i => (byte)(i + 1))], [.. Enumerable.Range(0, 105).Select(i => (byte)(i * 3))]));
        yield return Write("set-delivery-verifier", w => FrameCodec.WriteSetDeliveryVerifier(w, 45, [.. Enumerable.Range(0, 32).Select(i => (byte)(255 - i))]));
        byte[] fetchVerifier = [.. Enumerable.Range(0, 32).Select(i => (byte)(i + 100))];
        var mailboxSend = Write("mailbox-send", w => FrameCodec.WriteMailboxSend(w, 46, fetchVerifier, 1_800_000_000, new DeliveryToken([.. Enumerable.Range(0, 16).Select(i => (byte)(i + 50))]), envelope));
        yield return mailboxSend;
        yield return new Seed("mailbox-send-truncated", mailboxSend.Bytes[..60]);
        yield return Write("open-mailbox", w => FrameCodec.WriteOpenMailbox(w, 47, [.. Enumerable.Range(0, 32).Select(i => (byte)(i + 7))], fetchVerifier, 1_800_000_000));
        yield return new Seed("unknown-type", [0x7F, 0, 0, 0, 0, 0, 0, 0, 1]);
        yield return new Seed("error-reason-too-long", [0x08, 0x01, 0xFF, .. Encoding.ASCII.GetBytes("x")]);
    }

    private static Seed Write(string name, Action<ArrayBufferWriter<byte>> write)
    {
        var writer = new ArrayBufferWriter<byte>();
        write(writer);
        return new Seed(name, writer.WrittenSpan.ToArray());
    }

    private static bool Same(in RelayFrame a, in RelayFrame b) =>
        a.Type == b.Type && a.ClientMessageId == b.ClientMessageId && a.RelayMessageId == b.RelayMessageId && a.Identity == b.Identity && a.Token == b.Token
        && a.Flags == b.Flags && a.Code == b.Code && a.Envelope.ToArray().AsSpan().SequenceEqual(b.Envelope.ToArray());

    // Writing the parsed fields back must reproduce the input: a second encoding of the same frame
    // would let two parsers (relay and client, or two relay versions) disagree on what was sent.
    private static void CheckRewrite(in RelayFrame frame, byte[] input)
    {
        ContractViolation.Require(Enum.IsDefined(frame.Type), $"TryRead accepted a frame of unknown type {(byte)frame.Type}");
        ContractViolation.Require(frame.Type != FrameType.Deliver || (frame.Flags & FrameCodec.SealedSenderFlag) == 0 || frame.Identity.IsEmpty, "a sealed-sender DELIVER carries a sender");
        if (FrameRewrite.Write(frame) is { } rewritten)
        {
            ContractViolation.Require(rewritten.AsSpan().SequenceEqual(input), $"a {frame.Type} frame written back differs from the bytes it was read from");
            return;
        }

        // ERROR: arbitrary reason bytes cannot go through the string writer; check the layout instead.
        var reasonLength = frame.Envelope.Length;
        ContractViolation.Require(reasonLength <= FrameLimits.Default.MaxReasonBytes && input.Length == 3 + reasonLength && input[2] == reasonLength, "an ERROR frame's reason does not match its length byte");
    }
}
