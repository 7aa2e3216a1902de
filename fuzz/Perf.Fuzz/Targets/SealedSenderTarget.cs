using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;
using Relay.Crypto.Signatures;

namespace Perf.Fuzz.Targets;

/// <summary>
/// What a recipient reads of a SEALED_SEND: <see cref="SenderCertificate.TryParse"/> and
/// <see cref="SenderCertificate.Verify"/> on the input as a certificate, and
/// <see cref="SealedSenderEnvelope.TryUnseal"/> on it as a sealed envelope (the algorithm its second
/// byte names), with fixed keys so every run takes the same path. Contract: only the documented
/// <see cref="SealedSenderError"/> values, never an exception; a parsed certificate is the input's
/// first 105 bytes; a certificate that verifies is exactly one the issuer writes for its identity and
/// expiry (nothing else passes the signature); an envelope that opens gives the certificate and the
/// E2E envelope at their documented sizes.
/// </summary>
internal sealed class SealedSenderTarget : FuzzTarget
{
    private static readonly X25519KeyPair Recipient = FixedKeys.Make(0x80);
    private static readonly X25519KeyPair Sender = FixedKeys.Make(0x90);
    private static readonly SenderCertificateIssuer Issuer = SenderCertificateIssuer.FromSeed(FixedKeys.Counting(0xB0, 32));
    private static readonly Ed25519PublicKey SigningKey = SenderCertificate.ImportSigningKey(Issuer.PublicKey);
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly AeadAlgorithm[] Algorithms = [AeadAlgorithm.Aes256Gcm, AeadAlgorithm.ChaCha20Poly1305, AeadAlgorithm.XChaCha20Poly1305];
    private static readonly SealedSenderEnvelope[] Envelopes = [.. Algorithms.Select(a => new SealedSenderEnvelope(a, AeadBackend.Sodium))];

    /// <inheritdoc />
    public override string Name => "sealed-sender";

    /// <inheritdoc />
    public override string Description => "SenderCertificate.TryParse/Verify and SealedSenderEnvelope.TryUnseal: SealedSenderError values, never an exception; only issued certificates verify";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        CheckCertificate(input);
        var inner = new byte[input.Length];
        var envelope = Envelopes[(input.Length > 1 ? input[1] : 0) % Envelopes.Length];
        var error = envelope.TryUnseal(Recipient, input, inner, out var innerLength);
        ContractViolation.Require(
            error is SealedSenderError.None or SealedSenderError.Truncated or SealedSenderError.UnsupportedVersion or SealedSenderError.UnknownAlgorithm or SealedSenderError.InvalidKey or SealedSenderError.AuthenticationFailed,
            $"TryUnseal returned {error}");
        ContractViolation.Require(error != SealedSenderError.None || innerLength == input.Length - SealedSenderEnvelope.Overhead + SenderCertificate.Size, $"TryUnseal opened {innerLength} bytes of a {input.Length}-byte envelope");
        if (error == SealedSenderError.None)
        {
            CheckCertificate(inner.AsSpan(0, innerLength));
        }
    }

    /// <inheritdoc />
    public override IEnumerable<Seed> Seeds()
    {
        var certificate = Certificate(Now.AddHours(1));
        yield return new Seed("certificate", certificate);
        yield return new Seed("certificate-expired", Certificate(Now.AddSeconds(-1)));
        yield return new Seed("certificate-forged", Flip(certificate, SenderCertificate.SignedSize + 3));
        yield return new Seed("certificate-bad-version", Flip(certificate, 0));
        yield return new Seed("certificate-truncated", certificate[..^1]);
        byte[] e2e = [.. Enumerable.Range(0, 40).Select(i => (byte)(i * 5))];
        for (var i = 0; i < Envelopes.Length; i++)
        {
            var sealedEnvelope = new byte[SealedSenderEnvelope.SealedSize(e2e.Length)];
            Envelopes[i].Seal(FixedKeys.Counting(0xC0, X25519KeyPair.KeySize), Recipient.PublicKey, certificate, e2e, sealedEnvelope);
            yield return new Seed($"sealed-{Algorithms[i].Name}", sealedEnvelope);
            if (i == 0)
            {
                yield return new Seed("sealed-tampered", Flip(sealedEnvelope, sealedEnvelope.Length - 20));
                yield return new Seed("sealed-truncated", sealedEnvelope[..(SealedSenderEnvelope.Overhead - 1)]);
                var lowOrder = (byte[])sealedEnvelope.Clone();
                Array.Clear(lowOrder, 2, X25519KeyPair.KeySize); // the all-zero point: no shared secret
                yield return new Seed("sealed-low-order-ephemeral", lowOrder);
            }
        }

        yield return new Seed("empty", []);
    }

    // The contract of the certificate reader and verifier on any bytes.
    private static void CheckCertificate(ReadOnlySpan<byte> bytes)
    {
        var parsed = SenderCertificate.TryParse(bytes, out var certificate);
        var wellFormed = bytes.Length >= SenderCertificate.Size && bytes[0] == SenderCertificate.Version;
        ContractViolation.Require(parsed is SealedSenderError.None or SealedSenderError.Truncated or SealedSenderError.UnsupportedVersion, $"TryParse returned {parsed}");
        ContractViolation.Require((parsed == SealedSenderError.None) == wellFormed, $"TryParse gave {parsed} for {bytes.Length} bytes of version {(bytes.IsEmpty ? -1 : bytes[0])}");
        ContractViolation.Require(parsed != SealedSenderError.None || (certificate.Bytes.SequenceEqual(bytes[..SenderCertificate.Size]) && certificate.Identity.SequenceEqual(bytes.Slice(1, 32))), "a parsed certificate is not the input's first bytes");

        var verified = SenderCertificate.Verify(bytes, SigningKey, Now);
        ContractViolation.Require(verified is SealedSenderError.None or SealedSenderError.Truncated or SealedSenderError.UnsupportedVersion or SealedSenderError.CertificateForged or SealedSenderError.CertificateExpired, $"Verify returned {verified}");
        ContractViolation.Require(parsed == SealedSenderError.None || verified == parsed, $"Verify gave {verified} where TryParse gave {parsed}");
        if (verified is SealedSenderError.None or SealedSenderError.CertificateExpired)
        {
            var issued = new byte[SenderCertificate.Size];
            Issuer.Issue(certificate.Identity, certificate.Expiry, issued);
            ContractViolation.Require(issued.AsSpan().SequenceEqual(bytes[..SenderCertificate.Size]), "a certificate the issuer did not write passed the signature check");
        }
    }

    private static byte[] Certificate(DateTimeOffset expiry)
    {
        var certificate = new byte[SenderCertificate.Size];
        Issuer.Issue(Sender.PublicKey, expiry, certificate);
        return certificate;
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var changed = (byte[])bytes.Clone();
        changed[at] ^= 0x01;
        return changed;
    }
}
