namespace Relay.Crypto.Noise;

/// <summary>
/// The transport after a completed handshake: a sending and a receiving <see cref="CipherState"/>.
/// Messages are at most 65535 bytes including the 16-byte tag; larger application messages are
/// refused (split them above this layer). Allocation-free; one sender and one receiver at a time.
/// </summary>
public sealed class NoiseTransport : IDisposable
{
    /// <summary>The largest plaintext one transport message carries.</summary>
    public const int MaxPlaintextLength = NoiseProtocol.MaxMessageLength - 16;

    /// <summary>Wraps the two cipher states.</summary>
    public NoiseTransport(CipherState send, CipherState receive)
    {
        Send = send ?? throw new ArgumentNullException(nameof(send));
        Receive = receive ?? throw new ArgumentNullException(nameof(receive));
    }

    /// <summary>The sending cipher state.</summary>
    public CipherState Send { get; }

    /// <summary>The receiving cipher state.</summary>
    public CipherState Receive { get; }

    /// <summary>Encrypts one transport message into <paramref name="destination"/> (plaintext + 16 bytes); returns its length.</summary>
    /// <exception cref="NoiseException">With <see cref="NoiseError.MessageTooLarge"/> over 65519 plaintext bytes, or <see cref="NoiseError.NonceExhausted"/>.</exception>
    public int Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (plaintext.Length > MaxPlaintextLength)
        {
            throw new NoiseException(NoiseError.MessageTooLarge, $"a transport message of {plaintext.Length} bytes is over Noise's limit of {MaxPlaintextLength}; split it into several messages");
        }

        return Send.EncryptWithAd(default, plaintext, destination);
    }

    /// <summary>Decrypts one transport message into <paramref name="destination"/>; returns the plaintext length.</summary>
    /// <exception cref="NoiseException">A failed tag, a message over the limit, or a truncated message.</exception>
    public int Decrypt(ReadOnlySpan<byte> message, Span<byte> destination)
    {
        if (message.Length > NoiseProtocol.MaxMessageLength)
        {
            throw new NoiseException(NoiseError.MessageTooLarge, $"a transport message of {message.Length} bytes is over Noise's 65535-byte limit");
        }

        return Receive.DecryptWithAd(default, message, destination);
    }

    /// <summary>Wipes both keys.</summary>
    public void Dispose()
    {
        Send.Dispose();
        Receive.Dispose();
    }
}
