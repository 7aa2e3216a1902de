using System.Buffers;
using System.Security.Cryptography;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Tests.Frames;

/// <summary>The sealed-sender frames: byte layouts as documented, round trips, and every truncation refused.</summary>
public sealed class SealedSenderFrameTests
{
    private static readonly Identity Bob = new(RandomNumberGenerator.GetBytes(32));
    private static readonly DeliveryToken Token = new(RandomNumberGenerator.GetBytes(16));
    private static readonly byte[] Envelope = RandomNumberGenerator.GetBytes(200);

    [Fact]
    public void Sealed_send_is_61_bytes_plus_the_envelope_and_round_trips()
    {
        var bytes = Write(w => FrameCodec.WriteSealedSend(w, 0x0102030405060708, Bob, Token, Envelope));
        Assert.Equal(61 + Envelope.Length, bytes.Length);
        Assert.Equal(0x0B, bytes[0]);
        Assert.Equal(Envelope.Length, (bytes[57] << 24) | (bytes[58] << 16) | (bytes[59] << 8) | bytes[60]);
        var frame = Read(bytes);
        Assert.Equal(FrameType.SealedSend, frame.Type);
        Assert.Equal(0x0102030405060708UL, frame.ClientMessageId);
        Assert.Equal(Bob, frame.Identity);
        Assert.Equal(Token, frame.Token);
        Assert.Equal(Envelope, frame.Envelope.ToArray());
    }

    [Fact]
    public void Certificate_request_certificate_and_verifier_round_trip()
    {
        var request = Read(Write(w => FrameCodec.WriteCertificateRequest(w, 9)));
        Assert.Equal(FrameType.CertificateRequest, request.Type);
        Assert.Equal(9UL, request.ClientMessageId);

        var signingKey = RandomNumberGenerator.GetBytes(32);
        var certificate = RandomNumberGenerator.GetBytes(105);
        var bytes = Write(w => FrameCodec.WriteCertificate(w, 9, signingKey, certificate));
        Assert.Equal(1 + 8 + 32 + 2 + 105, bytes.Length);
        var answer = Read(bytes);
        Assert.Equal(FrameType.Certificate, answer.Type);
        Assert.Equal(9UL, answer.ClientMessageId);
        Assert.Equal(signingKey, answer.Identity.ToArray());
        Assert.Equal(certificate, answer.Envelope.ToArray());

        var verifier = RandomNumberGenerator.GetBytes(32);
        var set = Read(Write(w => FrameCodec.WriteSetDeliveryVerifier(w, 11, verifier)));
        Assert.Equal(FrameType.SetDeliveryVerifier, set.Type);
        Assert.Equal(11UL, set.ClientMessageId);
        Assert.Equal(verifier, set.Envelope.ToArray());
    }

    [Fact]
    public void Every_truncation_and_trailing_byte_is_refused()
    {
        var frames = new[]
        {
            Write(w => FrameCodec.WriteSealedSend(w, 1, Bob, Token, Envelope)),
            Write(w => FrameCodec.WriteCertificateRequest(w, 1)),
            Write(w => FrameCodec.WriteCertificate(w, 1, new byte[32], new byte[105])),
            Write(w => FrameCodec.WriteSetDeliveryVerifier(w, 1, new byte[32])),
        };
        foreach (var bytes in frames)
        {
            for (var length = 1; length < bytes.Length; length++)
            {
                Assert.Equal(FrameError.Truncated, FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes, 0, length), FrameLimits.Default, out _));
            }

            Assert.Equal(FrameError.TrailingBytes, FrameCodec.TryRead(new ReadOnlySequence<byte>([.. bytes, 0]), FrameLimits.Default, out _));
        }
    }

    [Fact]
    public void Oversized_sealed_envelopes_and_certificates_are_refused()
    {
        var sealedSend = Write(w => FrameCodec.WriteSealedSend(w, 1, Bob, Token, Envelope));
        Assert.Equal(FrameError.EnvelopeTooLarge, FrameCodec.TryRead(new ReadOnlySequence<byte>(sealedSend), new FrameLimits { MaxEnvelopeBytes = Envelope.Length - 1 }, out _));

        var certificate = Write(w => FrameCodec.WriteCertificate(w, 1, new byte[32], new byte[105]));
        certificate[41] = 0x04; // a certificate length of 1129, over the 1024-byte limit
        certificate[42] = 0x69;
        Assert.Equal(FrameError.EnvelopeTooLarge, FrameCodec.TryRead(new ReadOnlySequence<byte>(certificate), FrameLimits.Default, out _));
        Assert.Throws<ArgumentException>(() => Write(w => FrameCodec.WriteCertificate(w, 1, new byte[32], new byte[1025])));
        Assert.Throws<ArgumentException>(() => Write(w => FrameCodec.WriteSetDeliveryVerifier(w, 1, new byte[31])));
    }

    [Fact]
    public void A_token_never_prints_its_value()
    {
        Assert.Equal("DeliveryToken(***)", Token.ToString());
    }

    private static byte[] Write(Action<ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }

    private static RelayFrame Read(byte[] bytes)
    {
        Assert.Equal(FrameError.None, FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes), FrameLimits.Default, out var frame));
        return frame;
    }
}
