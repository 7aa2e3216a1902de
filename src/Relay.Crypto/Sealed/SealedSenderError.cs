namespace Relay.Crypto.Sealed;

/// <summary>Why a sealed-sender envelope or a sender certificate was refused (by the recipient; the relay never opens either).</summary>
public enum SealedSenderError
{
    /// <summary>Opened, the certificate checked, the sender bound to the inner session.</summary>
    None = 0,

    /// <summary>Shorter than the outer header, the certificate and the tag.</summary>
    Truncated,

    /// <summary>A version byte (outer layer or certificate) this code does not speak.</summary>
    UnsupportedVersion,

    /// <summary>An unknown AEAD algorithm byte in the outer layer.</summary>
    UnknownAlgorithm,

    /// <summary>The ephemeral public key is unusable (a low-order point).</summary>
    InvalidKey,

    /// <summary>The outer layer's tag did not verify: not for this recipient, or changed in transit.</summary>
    AuthenticationFailed,

    /// <summary>The certificate's signature is not the relay's: forged or altered.</summary>
    CertificateForged,

    /// <summary>The certificate's expiry has passed.</summary>
    CertificateExpired,

    /// <summary>The certificate names another identity than the sender of the inner E2E session.</summary>
    CertificateIdentityMismatch,

    /// <summary>The inner envelope belongs to no session this recipient has or can accept.</summary>
    UnknownSession,

    /// <summary>The inner envelope was already opened: a replayed sealed envelope.</summary>
    Replay,

    /// <summary>The inner E2E envelope was refused for another reason (see the E2E error).</summary>
    InnerEnvelopeRefused,
}
