namespace Relay.Crypto.E2e;

/// <summary>Why an envelope was refused. Every refusal leaves the session unchanged and usable.</summary>
public enum E2eError
{
    /// <summary>Opened.</summary>
    None = 0,

    /// <summary>Shorter than its header and tag.</summary>
    Truncated,

    /// <summary>A version byte this code does not speak.</summary>
    UnsupportedVersion,

    /// <summary>An algorithm byte this code does not know, or not this session's algorithm.</summary>
    UnknownAlgorithm,

    /// <summary>Unknown flag bits, or prekey fields where none belong.</summary>
    MalformedHeader,

    /// <summary>The session id is not this session's.</summary>
    UnknownSession,

    /// <summary>The tag did not verify: wrong key, or a changed byte in header or body.</summary>
    AuthenticationFailed,

    /// <summary>A counter already opened: a duplicate or a replay.</summary>
    Replay,

    /// <summary>A counter further ahead than the skipped-key window allows.</summary>
    TooFarAhead,

    /// <summary>The initiator's public keys in the first message are unusable (a low-order point).</summary>
    InvalidKey,

    /// <summary>The destination is too small for the plaintext.</summary>
    DestinationTooSmall,

    /// <summary>The padding of a padded message is malformed.</summary>
    BadPadding,
}
