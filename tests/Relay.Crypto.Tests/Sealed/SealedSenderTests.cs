using Perf.Testing.Allocations;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;
using Relay.Crypto.Tests.E2e;

namespace Relay.Crypto.Tests.Sealed;

/// <summary>
/// Sealed sender on the recipient's side: a sealed envelope opens only for its recipient, only
/// with a certificate the relay signed and that has not expired, only when the certified identity
/// is the inner session's sender, and only once.
/// </summary>
public sealed class SealedSenderTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private readonly E2ePair _pair = new(new E2eSessionOptions { Algorithm = AeadAlgorithm.Aes256Gcm, Backend = AeadBackend.Sodium });
    private readonly SenderCertificateIssuer _relay = SenderCertificateIssuer.Generate();
    private readonly SealedSenderEnvelope _sealer = new(AeadAlgorithm.Aes256Gcm, AeadBackend.Sodium);
    private readonly SealedSenderOpener _bob;

    public SealedSenderTests()
    {
        _bob = new SealedSenderOpener(_pair.Bob, SenderCertificate.ImportSigningKey(_relay.PublicKey), AeadAlgorithm.Aes256Gcm, AeadBackend.Sodium);
    }

    [Fact]
    public void Bob_opens_a_sealed_message_and_learns_Alice_from_the_certificate()
    {
        var sealedEnvelope = SealFromAlice([1, 2, 3], Certificate(_pair.Alice.PublicKey, Now.AddHours(1)));

        Assert.Equal(SealedSenderEnvelope.Overhead + E2eEnvelope.PrekeyHeaderSize + 3 + 16, sealedEnvelope.Length);
        Assert.Equal(SealedSenderError.None, _bob.TryUnseal(sealedEnvelope, Now, out var contents));
        Assert.Equal(_pair.Alice.PublicKey.ToArray(), contents.Sender.ToArray());
        Assert.Equal(E2eError.None, E2eSession.TryAccept(_pair.Bob, contents.Envelope, _pair.Options, out var session));
        using (session)
        {
            var plaintext = new byte[contents.Envelope.Length];
            Assert.Equal(SealedSenderError.None, SealedSenderOpener.OpenInner(session!, contents.Sender, contents.Envelope, plaintext, out var written, out _));
            Assert.Equal([1, 2, 3], plaintext[..written]);
        }
    }

    [Fact]
    public void A_certificate_signed_by_anyone_but_the_relay_is_refused_as_forged()
    {
        using var mallory = SenderCertificateIssuer.Generate();
        var forged = new byte[SenderCertificate.Size];
        mallory.Issue(_pair.Alice.PublicKey, Now.AddHours(1), forged);
        Assert.Equal(SealedSenderError.CertificateForged, _bob.TryUnseal(SealFromAlice([1], forged), Now, out _));

        var altered = Certificate(_pair.Alice.PublicKey, Now.AddHours(1));
        altered[40] ^= 0x01; // a later expiry, the signature unchanged
        Assert.Equal(SealedSenderError.CertificateForged, _bob.TryUnseal(SealFromAlice([1], altered), Now, out _));
    }

    [Fact]
    public void An_expired_certificate_is_refused()
    {
        var certificate = Certificate(_pair.Alice.PublicKey, Now.AddSeconds(-1));
        Assert.Equal(SealedSenderError.CertificateExpired, _bob.TryUnseal(SealFromAlice([1], certificate), Now, out _));
        Assert.Equal(SealedSenderError.CertificateExpired, SenderCertificate.Verify(certificate, SenderCertificate.ImportSigningKey(_relay.PublicKey), Now));
    }

    [Fact]
    public void A_certificate_for_another_identity_than_the_sessions_sender_is_refused()
    {
        using var mallory = X25519KeyPair.Generate();
        var sealedEnvelope = SealFromAlice([1], Certificate(mallory.PublicKey, Now.AddHours(1)));

        Assert.Equal(SealedSenderError.None, _bob.TryUnseal(sealedEnvelope, Now, out var contents));
        Assert.Equal(E2eError.None, E2eSession.TryAccept(_pair.Bob, contents.Envelope, _pair.Options, out var session));
        using (session)
        {
            var error = SealedSenderOpener.OpenInner(session!, contents.Sender, contents.Envelope, new byte[contents.Envelope.Length], out _, out _);
            Assert.Equal(SealedSenderError.CertificateIdentityMismatch, error);
        }
    }

    [Fact]
    public void A_replayed_sealed_envelope_is_refused_as_a_replay()
    {
        var sealedEnvelope = SealFromAlice([7], Certificate(_pair.Alice.PublicKey, Now.AddHours(1)));
        Assert.Equal(SealedSenderError.None, _bob.TryUnseal(sealedEnvelope, Now, out var first));
        Assert.Equal(E2eError.None, E2eSession.TryAccept(_pair.Bob, first.Envelope, _pair.Options, out var session));
        using (session)
        {
            var plaintext = new byte[sealedEnvelope.Length];
            Assert.Equal(SealedSenderError.None, SealedSenderOpener.OpenInner(session!, first.Sender, first.Envelope, plaintext, out _, out _));

            Assert.Equal(SealedSenderError.None, _bob.TryUnseal(sealedEnvelope, Now, out var again));
            Assert.Equal(SealedSenderError.Replay, SealedSenderOpener.OpenInner(session!, again.Sender, again.Envelope, plaintext, out _, out var inner));
            Assert.Equal(E2eError.Replay, inner);
        }
    }

    [Fact]
    public void Truncated_altered_or_misaddressed_envelopes_are_refused_by_name()
    {
        var sealedEnvelope = SealFromAlice([1, 2, 3], Certificate(_pair.Alice.PublicKey, Now.AddHours(1)));
        for (var length = 0; length < SealedSenderEnvelope.Overhead; length++)
        {
            Assert.Equal(SealedSenderError.Truncated, _bob.TryUnseal(sealedEnvelope.AsSpan(0, length), Now, out _));
        }

        Assert.Equal(SealedSenderError.AuthenticationFailed, _bob.TryUnseal(sealedEnvelope.AsSpan(0, sealedEnvelope.Length - 1), Now, out _));
        foreach (var index in new[] { 2, 40, 200, sealedEnvelope.Length - 1 })
        {
            var altered = (byte[])sealedEnvelope.Clone();
            altered[index] ^= 0x04;
            Assert.Equal(SealedSenderError.AuthenticationFailed, _bob.TryUnseal(altered, Now, out _));
        }

        var version = (byte[])sealedEnvelope.Clone();
        version[0] = 2;
        Assert.Equal(SealedSenderError.UnsupportedVersion, _bob.TryUnseal(version, Now, out _));
        var algorithm = (byte[])sealedEnvelope.Clone();
        algorithm[1] = 9;
        Assert.Equal(SealedSenderError.UnknownAlgorithm, _bob.TryUnseal(algorithm, Now, out _));
        var lowOrder = (byte[])sealedEnvelope.Clone();
        lowOrder.AsSpan(2, 32).Clear(); // the all-zero point
        Assert.Equal(SealedSenderError.InvalidKey, _bob.TryUnseal(lowOrder, Now, out _));

        using var carol = X25519KeyPair.Generate();
        using var carolOpener = new SealedSenderOpener(carol, SenderCertificate.ImportSigningKey(_relay.PublicKey), AeadAlgorithm.Aes256Gcm, AeadBackend.Sodium);
        Assert.Equal(SealedSenderError.AuthenticationFailed, carolOpener.TryUnseal(sealedEnvelope, Now, out _));
    }

    [Fact]
    public void The_relays_signing_key_follows_from_its_static_key()
    {
        using var relayKey = X25519KeyPair.Generate();
        using var first = SenderCertificateIssuer.FromRelayKey(relayKey);
        using var second = SenderCertificateIssuer.FromRelayKey(relayKey);
        using var other = SenderCertificateIssuer.FromRelayKey(X25519KeyPair.Generate());
        Assert.Equal(first.PublicKey.ToArray(), second.PublicKey.ToArray());
        Assert.NotEqual(first.PublicKey.ToArray(), other.PublicKey.ToArray());
    }

    [Fact]
    public void Delivery_tokens_derive_from_the_secret_and_only_the_right_one_matches()
    {
        var secret = DeliveryTokens.NewSecret();
        var token = new byte[16];
        var again = new byte[16];
        var verifier = new byte[32];
        DeliveryTokens.DeriveToken(secret, _pair.Bob.PublicKey, token);
        DeliveryTokens.DeriveToken(secret, _pair.Bob.PublicKey, again);
        DeliveryTokens.ComputeVerifier(token, verifier);
        Assert.Equal(token, again);
        Assert.True(DeliveryTokens.Matches(token, verifier));

        var other = new byte[16];
        DeliveryTokens.DeriveToken(DeliveryTokens.NewSecret(), _pair.Bob.PublicKey, other);
        Assert.False(DeliveryTokens.Matches(other, verifier));
        DeliveryTokens.DeriveToken(secret, _pair.Alice.PublicKey, other);
        Assert.False(DeliveryTokens.Matches(other, verifier));
        Assert.False(DeliveryTokens.Matches(token.AsSpan(0, 15), verifier));

        // The relay checks a token per sealed send: no allocation.
        Allocations.AssertNone(() => Assert.True(DeliveryTokens.Matches(token, verifier)), calls: 100, warmUpCalls: 1);
    }

    public void Dispose()
    {
        _bob.Dispose();
        _sealer.Dispose();
        _relay.Dispose();
        _pair.Dispose();
    }

    private byte[] Certificate(ReadOnlySpan<byte> identity, DateTimeOffset expiry)
    {
        var certificate = new byte[SenderCertificate.Size];
        _relay.Issue(identity, expiry, certificate);
        return certificate;
    }

    private byte[] SealFromAlice(byte[] plaintext, byte[] certificate)
    {
        var inner = _pair.SealFromAlice(plaintext);
        var output = new byte[SealedSenderEnvelope.SealedSize(inner.Length)];
        Assert.Equal(output.Length, _sealer.Seal(_pair.Bob.PublicKey, certificate, inner, output));
        return output;
    }
}
