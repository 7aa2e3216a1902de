namespace Relay.Crypto.Aead;

/// <summary>The one place argument and support errors of the crypto core are built, so messages stay consistent.</summary>
internal static class CryptoErrors
{
    public static ArgumentException UnknownAlgorithm(string name) =>
        new($"Unknown AEAD algorithm '{name}'. Known: chacha20-poly1305 (chachapoly), aes-256-gcm (aesgcm), xchacha20-poly1305 (xchachapoly).", nameof(name));

    public static ArgumentException UnknownBackend(string name) =>
        new($"Unknown AEAD backend '{name}'. Known: auto, sodium, openssl, libcrypto (aliases: libsodium, dotnet, evp).", nameof(name));

    public static ArgumentException KeySize(AeadAlgorithm algorithm, int actual) =>
        new($"{algorithm.Name} takes a {algorithm.KeySize}-byte key; got {actual} bytes.", "key");

    public static ArgumentException NonceSize(AeadAlgorithm algorithm, int actual) =>
        new($"{algorithm.Name} takes a {algorithm.NonceSize}-byte nonce; got {actual} bytes.", "nonce");

    public static ArgumentException DestinationSize(string what, int expected, int actual) =>
        new($"The {what} must be exactly {expected} bytes; got {actual} bytes.", "destination");

    public static ArgumentException CiphertextTooShort(int actual) =>
        new($"A ciphertext holds at least the {AeadAlgorithm.TagSizeBytes}-byte tag; got {actual} bytes.", "ciphertext");

    public static ArgumentException PartialOverlap(string what) =>
        new($"The {what} overlaps its input at a different offset; in-place operation needs both to start at the same byte.", "destination");

    public static NotSupportedException XChaChaNotInDotNet() =>
        new("xchacha20-poly1305 is not available in the openssl backend: .NET's AesGcm and ChaCha20Poly1305 types offer AES-GCM and ChaCha20-Poly1305 only. Use the sodium backend (libsodium) for XChaCha20-Poly1305.");

    public static NotSupportedException XChaChaNotInLibCrypto() =>
        new("xchacha20-poly1305 is not available in the libcrypto backend: OpenSSL 3 offers AES-GCM and ChaCha20-Poly1305 but no XChaCha20-Poly1305. Use the sodium backend (libsodium) for XChaCha20-Poly1305.");

    public static PlatformNotSupportedException NotSupportedHere(AeadAlgorithm algorithm, string backend, string why) =>
        new($"{algorithm.Name} is not supported by the {backend} backend on this machine: {why}.");

    public static ObjectDisposedException Disposed(string type) => new(type);
}
