namespace Relay.Crypto.Noise;

/// <summary>Why a Noise handshake or channel ended.</summary>
public enum NoiseError
{
    /// <summary>The protocol name is not one this code implements.</summary>
    UnsupportedProtocol,

    /// <summary>A message was read or written out of the pattern's order, or the handshake is already over.</summary>
    UnexpectedMessage,

    /// <summary>A message is shorter than its pattern requires, or the stream ended mid-frame.</summary>
    Truncated,

    /// <summary>A frame's length is over the limit.</summary>
    FrameTooLarge,

    /// <summary>A message does not fit Noise's 65535-byte limit.</summary>
    MessageTooLarge,

    /// <summary>An authentication tag did not verify.</summary>
    DecryptFailed,

    /// <summary>A public key is a low-order point or otherwise unusable.</summary>
    InvalidPublicKey,

    /// <summary>The peer's static key is not the pinned one.</summary>
    RemoteKeyMismatch,

    /// <summary>A cipher state's nonce would reach 2^64-1.</summary>
    NonceExhausted,

    /// <summary>The handshake did not finish in time.</summary>
    Timeout,

    /// <summary>A required key (local static, remote static for IK) was not given.</summary>
    MissingKey,
}

/// <summary>A Noise handshake or channel failed; <see cref="Error"/> says why. Messages never hold key material.</summary>
public sealed class NoiseException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NoiseException(NoiseError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Creates the exception with a cause.</summary>
    public NoiseException(NoiseError error, string message, Exception innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>Why it failed.</summary>
    public NoiseError Error { get; }
}
