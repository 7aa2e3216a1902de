namespace Relay.Crypto.Aead;

/// <summary>
/// One AEAD algorithm keyed with one key, on one backend. Seal and open work on spans and
/// allocate nothing per call; both may run in place (destination starting at the same byte as
/// the input). Every public method validates its arguments here, once, then calls the backend's
/// unchecked core method. Instances are not thread-safe for concurrent use; create one per
/// connection or session.
/// </summary>
public abstract class AeadCipher : IDisposable
{
    private bool _disposed;

    /// <summary>Initialises the cipher for <paramref name="algorithm"/>.</summary>
    protected AeadCipher(AeadAlgorithm algorithm)
    {
        Algorithm = algorithm ?? throw new ArgumentNullException(nameof(algorithm));
    }

    /// <summary>The algorithm this cipher runs.</summary>
    public AeadAlgorithm Algorithm { get; }

    /// <summary>The backend's name: <c>sodium</c>, <c>openssl</c>, <c>libcrypto</c> or <c>auto</c>.</summary>
    public abstract string BackendName { get; }

    /// <summary>Nonce size in bytes.</summary>
    public int NonceSize => Algorithm.NonceSize;

    /// <summary>Tag size in bytes; a ciphertext is always this much longer than its plaintext.</summary>
    public int TagSize => Algorithm.TagSize;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> and writes <c>ciphertext || tag</c> to
    /// <paramref name="destination"/>, which must be exactly <c>plaintext.Length + TagSize</c> bytes.
    /// </summary>
    /// <exception cref="ArgumentException">A nonce of the wrong size, a destination of the wrong size, or a destination overlapping the plaintext at another offset.</exception>
    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (nonce.Length != Algorithm.NonceSize)
        {
            throw CryptoErrors.NonceSize(Algorithm, nonce.Length);
        }

        if (destination.Length != plaintext.Length + TagSize)
        {
            throw CryptoErrors.DestinationSize("destination (plaintext length + tag)", plaintext.Length + TagSize, destination.Length);
        }

        if (plaintext.Overlaps(destination, out var offset) && offset != 0)
        {
            throw CryptoErrors.PartialOverlap("destination");
        }

        SealCore(nonce, associatedData, plaintext, destination);
    }

    /// <summary>
    /// Authenticates and decrypts <c>ciphertext || tag</c> into <paramref name="destination"/>,
    /// which must be exactly <c>ciphertext.Length - TagSize</c> bytes. Returns <c>false</c>, and
    /// clears the destination, when the tag does not verify.
    /// </summary>
    /// <exception cref="ArgumentException">A nonce of the wrong size, a ciphertext shorter than the tag, a destination of the wrong size, or a partial overlap.</exception>
    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (nonce.Length != Algorithm.NonceSize)
        {
            throw CryptoErrors.NonceSize(Algorithm, nonce.Length);
        }

        if (ciphertext.Length < TagSize)
        {
            throw CryptoErrors.CiphertextTooShort(ciphertext.Length);
        }

        if (destination.Length != ciphertext.Length - TagSize)
        {
            throw CryptoErrors.DestinationSize("destination (ciphertext length - tag)", ciphertext.Length - TagSize, destination.Length);
        }

        if (ciphertext.Overlaps(destination, out var offset) && offset != 0)
        {
            throw CryptoErrors.PartialOverlap("destination");
        }

        if (OpenCore(nonce, associatedData, ciphertext, destination))
        {
            return true;
        }

        destination.Clear();
        return false;
    }

    /// <summary>
    /// Whether <see cref="Rekey"/> allocates: false on sodium and libcrypto (a copy into the
    /// cipher's own key buffer); true on openssl, whose .NET types cannot change key and are rebuilt.
    /// </summary>
    public abstract bool RekeyAllocates { get; }

    /// <summary>
    /// Replaces the key, keeping algorithm and backend: the per-message key of the E2E ratchet
    /// and Noise's <c>Rekey()</c> use it instead of creating a cipher per key.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public void Rekey(ReadOnlySpan<byte> key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (key.Length != Algorithm.KeySize)
        {
            throw CryptoErrors.KeySize(Algorithm, key.Length);
        }

        RekeyCore(key);
    }

    /// <summary>Replaces the key once <see cref="Rekey"/> has validated it.</summary>
    protected abstract void RekeyCore(ReadOnlySpan<byte> key);

    /// <summary>Seals with arguments already validated by <see cref="Seal"/>.</summary>
    protected abstract void SealCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination);

    /// <summary>Opens with arguments already validated by <see cref="TryOpen"/>; returns whether the tag verified.</summary>
    protected abstract bool OpenCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> destination);

    /// <summary>Releases the key material.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the backend's key objects.</summary>
    protected abstract void Dispose(bool disposing);

    /// <inheritdoc />
    public override string ToString() => $"{Algorithm.Name}/{BackendName}";
}
