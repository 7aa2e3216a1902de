using CsCheck;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;

namespace Relay.Crypto.Tests.Sealed;

/// <summary>
/// Properties of the sealed-sender and conversation-mailbox readers (the same contracts the
/// sealed-sender and conversation fuzz targets check): sealed things open to what was sealed, any
/// changed bit or wrong key is refused with a <see cref="SealedSenderError"/>, and arbitrary bytes
/// give one of the documented errors, never an exception.
/// </summary>
public sealed class SealedSenderPropertyTests : IDisposable
{
    private static readonly Gen<AeadAlgorithm> Algorithms = Gen.OneOf([.. AeadAlgorithm.All]);
    private readonly X25519KeyPair _recipient = X25519KeyPair.Generate();
    private readonly SenderCertificateIssuer _issuer = SenderCertificateIssuer.Generate();
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public void Dispose()
    {
        _recipient.Dispose();
        _issuer.Dispose();
    }

    [Fact]
    public void A_sealed_envelope_unseals_to_its_certificate_and_inner_envelope_and_any_changed_bit_is_refused() =>
        Gen.Select(Algorithms, Gen.Byte.Array[0, 200], Gen.Int[0, int.MaxValue]).Sample((algorithm, e2e, position) =>
        {
            using var envelope = new SealedSenderEnvelope(algorithm, AeadBackend.Sodium);
            var certificate = Certificate(_now.AddHours(1));
            var sealedEnvelope = new byte[SealedSenderEnvelope.SealedSize(e2e.Length)];
            envelope.Seal(_recipient.PublicKey, certificate, e2e, sealedEnvelope);
            var inner = new byte[sealedEnvelope.Length];
            Assert.Equal(SealedSenderError.None, envelope.TryUnseal(_recipient, sealedEnvelope, inner, out var innerLength));
            Assert.Equal([.. certificate, .. e2e], inner[..innerLength]);

            var bit = position % (sealedEnvelope.Length * 8);
            sealedEnvelope[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Contains(envelope.TryUnseal(_recipient, sealedEnvelope, inner, out _), (SealedSenderError[])[SealedSenderError.UnsupportedVersion, SealedSenderError.UnknownAlgorithm, SealedSenderError.InvalidKey, SealedSenderError.AuthenticationFailed]);
        }, iter: 200);

    [Fact]
    public void A_certificate_with_any_changed_bit_does_not_verify() =>
        Gen.Int[0, SenderCertificate.Size * 8 - 1].Sample(bit =>
        {
            var certificate = Certificate(_now.AddHours(1));
            var key = SenderCertificate.ImportSigningKey(_issuer.PublicKey);
            Assert.Equal(SealedSenderError.None, SenderCertificate.Verify(certificate, key, _now));
            certificate[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Contains(SenderCertificate.Verify(certificate, key, _now), (SealedSenderError[])[SealedSenderError.UnsupportedVersion, SealedSenderError.CertificateForged]);
        }, iter: 300);

    [Fact]
    public void A_conversation_envelope_opens_only_with_its_key_and_mailbox_and_unchanged() =>
        Gen.Select(Algorithms, Gen.Byte.Array[0, 200], Gen.Byte.Array[32], Gen.Byte.Array[32], Gen.Int[0, int.MaxValue]).Sample((algorithm, e2e, key, address, position) =>
        {
            using var envelope = new ConversationEnvelope(algorithm, AeadBackend.Sodium);
            var sealedEnvelope = new byte[envelope.Overhead + e2e.Length];
            envelope.Seal(key, address, e2e, sealedEnvelope);
            var inner = new byte[sealedEnvelope.Length];
            Assert.Equal(SealedSenderError.None, envelope.TryOpen(key, address, sealedEnvelope, inner, out var innerLength));
            Assert.Equal(e2e, inner[..innerLength]);

            var otherAddress = (byte[])address.Clone();
            otherAddress[position % 32] ^= 1;
            Assert.Equal(SealedSenderError.AuthenticationFailed, envelope.TryOpen(key, otherAddress, sealedEnvelope, inner, out _));
            var bit = position % (sealedEnvelope.Length * 8);
            sealedEnvelope[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Contains(envelope.TryOpen(key, address, sealedEnvelope, inner, out _), (SealedSenderError[])[SealedSenderError.UnsupportedVersion, SealedSenderError.UnknownAlgorithm, SealedSenderError.AuthenticationFailed]);
        }, iter: 300);

    [Fact]
    public void Arbitrary_bytes_give_a_documented_error_never_an_exception() =>
        Gen.Select(Algorithms, Gen.Byte.Array[0, 400]).Sample((algorithm, bytes) =>
        {
            var key = SenderCertificate.ImportSigningKey(_issuer.PublicKey);
            Assert.Contains(SenderCertificate.TryParse(bytes, out _), (SealedSenderError[])[SealedSenderError.None, SealedSenderError.Truncated, SealedSenderError.UnsupportedVersion]);
            Assert.NotEqual(SealedSenderError.None, SenderCertificate.Verify(bytes, key, _now));
            Assert.Contains(MailboxTicket.TryRead(bytes, out _), (SealedSenderError[])[SealedSenderError.None, SealedSenderError.Truncated, SealedSenderError.UnsupportedVersion]);
            var inner = new byte[bytes.Length];
            using var sealedEnvelope = new SealedSenderEnvelope(algorithm, AeadBackend.Sodium);
            Assert.NotEqual(SealedSenderError.None, sealedEnvelope.TryUnseal(_recipient, bytes, inner, out _));
            using var conversation = new ConversationEnvelope(algorithm, AeadBackend.Sodium);
            Assert.NotEqual(SealedSenderError.None, conversation.TryOpen(new byte[32], new byte[32], bytes, inner, out _));
        }, iter: 500);

    private byte[] Certificate(DateTimeOffset expiry)
    {
        var certificate = new byte[SenderCertificate.Size];
        _issuer.Issue(new byte[32], expiry, certificate);
        return certificate;
    }
}
