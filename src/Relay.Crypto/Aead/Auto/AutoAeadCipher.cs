namespace Relay.Crypto.Aead.Auto;

/// <summary>Dispatches each call to the cipher for small or large messages; arguments were validated by the caller's <see cref="AeadCipher"/> entry point.</summary>
internal sealed class AutoAeadCipher : AeadCipher
{
    private readonly AeadCipher _small;
    private readonly AeadCipher _large;
    private readonly int _crossoverBytes;

    public AutoAeadCipher(AeadAlgorithm algorithm, AeadCipher small, int crossoverBytes, AeadCipher large)
        : base(algorithm)
    {
        _small = small;
        _large = large;
        _crossoverBytes = crossoverBytes;
    }

    public override string BackendName => AutoBackend.BackendName;

    /// <summary>The concrete backend this cipher uses for a message of <paramref name="length"/> bytes.</summary>
    public string BackendFor(int length) => Pick(length).BackendName;

    protected override void SealCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination) =>
        Pick(plaintext.Length).Seal(nonce, associatedData, plaintext, destination);

    protected override bool OpenCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> destination) =>
        Pick(destination.Length).TryOpen(nonce, associatedData, ciphertext, destination);

    public override bool RekeyAllocates => _small.RekeyAllocates || _large.RekeyAllocates;

    protected override void RekeyCore(ReadOnlySpan<byte> key)
    {
        _small.Rekey(key);
        if (!ReferenceEquals(_small, _large))
        {
            _large.Rekey(key);
        }
    }

    private AeadCipher Pick(int length) => length < _crossoverBytes ? _small : _large;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _small.Dispose();
            if (!ReferenceEquals(_small, _large))
            {
                _large.Dispose();
            }
        }
    }
}
