using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Signatures;

namespace Relay.Crypto.Sealed;

/// <summary>
/// The recipient's side of sealed sender, in the order the checks must run before any plaintext
/// reaches the application: <see cref="TryUnseal"/> opens the outer layer with the identity key
/// and verifies the certificate (the relay's signature, then its expiry); the caller finds the E2E
/// session the inner envelope belongs to; <see cref="OpenInner"/> insists that the certified
/// identity is that session's sender and only then opens the E2E envelope, whose replay check
/// refuses a replayed sealed envelope. One instance per receiving thread (it keeps a buffer).
/// </summary>
public sealed class SealedSenderOpener : IDisposable
{
    private readonly X25519KeyPair _identity;
    private readonly Ed25519PublicKey _relaySigningKey;
    private readonly SealedSenderEnvelope _outer;
    private byte[] _inner = new byte[1024];

    /// <summary>An opener for <paramref name="identity"/> trusting certificates signed by <paramref name="relaySigningKey"/>.</summary>
    public SealedSenderOpener(X25519KeyPair identity, Ed25519PublicKey relaySigningKey, AeadAlgorithm algorithm, AeadBackend backend)
    {
        _identity = identity ?? throw new ArgumentNullException(nameof(identity));
        _relaySigningKey = relaySigningKey ?? throw new ArgumentNullException(nameof(relaySigningKey));
        _outer = new SealedSenderEnvelope(algorithm, backend);
    }

    /// <summary>
    /// Opens the outer layer and checks the certificate. On success <paramref name="contents"/>
    /// holds the certified sender and the inner E2E envelope, valid until the next call.
    /// </summary>
    public SealedSenderError TryUnseal(ReadOnlySpan<byte> sealedEnvelope, DateTimeOffset now, out SealedContents contents)
    {
        contents = default;
        if (sealedEnvelope.Length > _inner.Length)
        {
            _inner = new byte[sealedEnvelope.Length];
        }

        var error = _outer.TryUnseal(_identity, sealedEnvelope, _inner, out var length);
        if (error != SealedSenderError.None)
        {
            return error;
        }

        var inner = _inner.AsSpan(0, length);
        error = SenderCertificate.Verify(inner[..SenderCertificate.Size], _relaySigningKey, now);
        if (error != SealedSenderError.None)
        {
            return error;
        }

        contents = new SealedContents(inner[..SenderCertificate.Size], inner[SenderCertificate.Size..]);
        return SealedSenderError.None;
    }

    /// <summary>
    /// Opens the inner envelope with <paramref name="session"/> only when the certified sender is
    /// that session's remote identity; maps the E2E refusals that matter here to named errors
    /// (<see cref="SealedSenderError.Replay"/>, <see cref="SealedSenderError.UnknownSession"/>) and
    /// the rest to <see cref="SealedSenderError.InnerEnvelopeRefused"/> with <paramref name="e2eError"/>.
    /// </summary>
    public static SealedSenderError OpenInner(E2eSession session, ReadOnlySpan<byte> certifiedSender, ReadOnlySpan<byte> envelope, Span<byte> plaintext, out int written, out E2eError e2eError)
    {
        ArgumentNullException.ThrowIfNull(session);
        written = 0;
        e2eError = E2eError.None;
        if (!session.RemoteIdentity.SequenceEqual(certifiedSender))
        {
            return SealedSenderError.CertificateIdentityMismatch;
        }

        e2eError = session.TryOpen(envelope, plaintext, out written);
        return e2eError switch
        {
            E2eError.None => SealedSenderError.None,
            E2eError.Replay => SealedSenderError.Replay,
            E2eError.UnknownSession => SealedSenderError.UnknownSession,
            _ => SealedSenderError.InnerEnvelopeRefused,
        };
    }

    /// <summary>Releases the outer cipher.</summary>
    public void Dispose() => _outer.Dispose();
}

/// <summary>What an opened outer layer holds: the verified certificate and the inner E2E envelope.</summary>
public readonly ref struct SealedContents
{
    /// <summary>Creates the view.</summary>
    public SealedContents(ReadOnlySpan<byte> certificate, ReadOnlySpan<byte> envelope)
    {
        Certificate = certificate;
        Envelope = envelope;
    }

    /// <summary>The sender certificate (105 bytes, signature and expiry checked).</summary>
    public ReadOnlySpan<byte> Certificate { get; }

    /// <summary>The certified sender identity.</summary>
    public ReadOnlySpan<byte> Sender => Certificate.Slice(1, 32);

    /// <summary>The inner E2E envelope.</summary>
    public ReadOnlySpan<byte> Envelope { get; }
}
