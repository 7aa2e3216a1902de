namespace Relay.Crypto.Aead;

//  Algorithm             | key | nonce | tag | max plaintext (this library)
//  --------------------- | --- | ----- | --- | ----------------------------
//  ChaCha20-Poly1305     | 32  | 12    | 16  | int.MaxValue - 16
//  AES-256-GCM           | 32  | 12    | 16  | int.MaxValue - 16
//  XChaCha20-Poly1305    | 32  | 24    | 16  | int.MaxValue - 16
//
// Every algorithm here uses a 256-bit key and a 128-bit tag, appended to the ciphertext
// (ciphertext || tag), the layout libsodium, Noise and the E2E envelope all use.

/// <summary>
/// Describes one AEAD algorithm: its name and sizes. Instances are singletons
/// (<see cref="ChaCha20Poly1305"/>, <see cref="Aes256Gcm"/>, <see cref="XChaCha20Poly1305"/>);
/// keyed ciphers are created from them by an <see cref="AeadBackend"/>.
/// </summary>
public sealed class AeadAlgorithm
{
    /// <summary>Key size in bytes, the same for every algorithm here.</summary>
    public const int KeySizeBytes = 32;

    /// <summary>Tag size in bytes, the same for every algorithm here.</summary>
    public const int TagSizeBytes = 16;

    /// <summary>ChaCha20-Poly1305 as in RFC 8439 (96-bit nonce).</summary>
    public static AeadAlgorithm ChaCha20Poly1305 { get; } = new(AeadAlgorithmId.ChaCha20Poly1305, "chacha20-poly1305", 12);

    /// <summary>AES-256 in Galois/Counter Mode with a 96-bit nonce.</summary>
    public static AeadAlgorithm Aes256Gcm { get; } = new(AeadAlgorithmId.Aes256Gcm, "aes-256-gcm", 12);

    /// <summary>XChaCha20-Poly1305 (192-bit nonce); offered by the sodium backend only.</summary>
    public static AeadAlgorithm XChaCha20Poly1305 { get; } = new(AeadAlgorithmId.XChaCha20Poly1305, "xchacha20-poly1305", 24);

    /// <summary>All algorithms, in a stable order.</summary>
    public static IReadOnlyList<AeadAlgorithm> All { get; } = [ChaCha20Poly1305, Aes256Gcm, XChaCha20Poly1305];

    private AeadAlgorithm(AeadAlgorithmId id, string name, int nonceSize)
    {
        Id = id;
        Name = name;
        NonceSize = nonceSize;
    }

    /// <summary>Stable identifier, handy for switches.</summary>
    public AeadAlgorithmId Id { get; }

    /// <summary>Lower-case name as used on the command line and in result files.</summary>
    public string Name { get; }

    /// <summary>Key size in bytes.</summary>
    public int KeySize => KeySizeBytes;

    /// <summary>Nonce size in bytes.</summary>
    public int NonceSize { get; }

    /// <summary>Tag size in bytes.</summary>
    public int TagSize => TagSizeBytes;

    /// <summary>
    /// Finds an algorithm by name. Accepts the canonical names and the Noise spellings
    /// (<c>ChaChaPoly</c>, <c>AESGCM</c>) and short forms (<c>chachapoly</c>, <c>aesgcm</c>, <c>xchachapoly</c>), case-insensitively.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a known algorithm.</exception>
    public static AeadAlgorithm Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryParse(name, out var algorithm)
            ? algorithm
            : throw CryptoErrors.UnknownAlgorithm(name);
    }

    /// <summary>Finds an algorithm by name; see <see cref="Parse"/> for the accepted spellings.</summary>
    public static bool TryParse(string? name, out AeadAlgorithm algorithm)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "chacha20-poly1305" or "chacha20poly1305" or "chachapoly":
                algorithm = ChaCha20Poly1305;
                return true;
            case "aes-256-gcm" or "aes256gcm" or "aesgcm" or "aes-gcm":
                algorithm = Aes256Gcm;
                return true;
            case "xchacha20-poly1305" or "xchacha20poly1305" or "xchachapoly":
                algorithm = XChaCha20Poly1305;
                return true;
            default:
                algorithm = ChaCha20Poly1305;
                return false;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Identifies an <see cref="AeadAlgorithm"/>.</summary>
public enum AeadAlgorithmId
{
    /// <summary>ChaCha20-Poly1305 (RFC 8439).</summary>
    ChaCha20Poly1305,

    /// <summary>AES-256-GCM.</summary>
    Aes256Gcm,

    /// <summary>XChaCha20-Poly1305.</summary>
    XChaCha20Poly1305,
}
