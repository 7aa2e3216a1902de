using System.Buffers;
using Relay.Protocol.Frames;

namespace Perf.Testing.Bytes;

/// <summary>
/// Writes a parsed relay frame back with <see cref="FrameCodec"/>'s writers. Every frame has one
/// encoding, so an accepted input must come back byte for byte (shared by the fuzz target and
/// the property tests).
/// </summary>
public static class FrameRewrite
{
    /// <summary>The frame's bytes as the writers write them; null for ERROR, whose writer takes a string and cuts it.</summary>
    public static byte[]? Write(in RelayFrame frame)
    {
        var writer = new ArrayBufferWriter<byte>();
        var envelope = frame.Envelope.ToArray();
        switch (frame.Type)
        {
            case FrameType.Send:
                FrameCodec.WriteSend(writer, frame.ClientMessageId, frame.Identity, envelope);
                break;
            case FrameType.Deliver:
                FrameCodec.WriteDeliver(writer, frame.RelayMessageId, frame.Identity, (frame.Flags & FrameCodec.SealedSenderFlag) != 0, envelope);
                break;
            case FrameType.Ack:
                FrameCodec.WriteAck(writer, frame.RelayMessageId);
                break;
            case FrameType.Accepted:
                FrameCodec.WriteAccepted(writer, frame.ClientMessageId, frame.RelayMessageId);
                break;
            case FrameType.Rejected:
                FrameCodec.WriteRejected(writer, frame.ClientMessageId, (RejectReason)frame.Code);
                break;
            case FrameType.Ping:
                FrameCodec.WritePing(writer, frame.ClientMessageId);
                break;
            case FrameType.Pong:
                FrameCodec.WritePong(writer, frame.ClientMessageId);
                break;
            case FrameType.SealedSend:
                FrameCodec.WriteSealedSend(writer, frame.ClientMessageId, frame.Identity, frame.Token, envelope);
                break;
            case FrameType.CertificateRequest:
                FrameCodec.WriteCertificateRequest(writer, frame.ClientMessageId);
                break;
            case FrameType.Certificate:
                FrameCodec.WriteCertificate(writer, frame.ClientMessageId, frame.Identity.ToArray(), envelope);
                break;
            case FrameType.SetDeliveryVerifier:
                FrameCodec.WriteSetDeliveryVerifier(writer, frame.ClientMessageId, envelope);
                break;
            case FrameType.OpenMailbox:
                FrameCodec.WriteOpenMailbox(writer, frame.ClientMessageId, envelope.AsSpan(0, 32), envelope.AsSpan(32), frame.MailboxExpiry);
                break;
            case FrameType.MailboxSend:
                FrameCodec.WriteMailboxSend(writer, frame.ClientMessageId, frame.Identity.ToArray(), frame.MailboxExpiry, frame.Token, envelope);
                break;
            default:
                return null;
        }

        return writer.WrittenSpan.ToArray();
    }
}
