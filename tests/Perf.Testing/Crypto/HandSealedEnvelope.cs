using System.Buffers.Binary;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;

namespace Perf.Testing.Crypto;

/// <summary>Envelopes no session would seal, built from the chain step and the AEAD directly (the E2E session tests and the k6 vector builder).</summary>
public static class HandSealedEnvelope
{
    /// <summary>The sender's next AES-256-GCM message with the padded flag set over <paramref name="body"/>, which lacks the 0x80 marker.</summary>
    public static byte[] PaddedFlagWithoutPadding(E2eSessionState sender, byte[] body)
    {
        Span<byte> chain = Convert.FromBase64String(sender.SendChainKey);
        Span<byte> messageKey = stackalloc byte[32];
        SymmetricChain.Step(chain, messageKey);
        var envelope = new byte[E2eEnvelope.BaseHeaderSize + body.Length + AeadAlgorithm.TagSizeBytes];
        envelope[0] = E2eEnvelope.Version;
        envelope[1] = E2eEnvelope.AlgorithmCode(AeadAlgorithm.Aes256Gcm);
        envelope[2] = 0x02;
        Convert.FromBase64String(sender.SessionId).CopyTo(envelope, 3);
        BinaryPrimitives.WriteUInt32BigEndian(envelope.AsSpan(19), sender.SendCounter);
        var nonce = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(nonce.AsSpan(8), sender.SendCounter);
        using var cipher = AeadBackend.Sodium.Create(AeadAlgorithm.Aes256Gcm, messageKey);
        cipher.Seal(nonce, envelope.AsSpan(0, E2eEnvelope.BaseHeaderSize), body, envelope.AsSpan(E2eEnvelope.BaseHeaderSize));
        return envelope;
    }
}
