using NSec.Cryptography;

namespace Relay.Crypto.Aead.Sodium;

/// <summary>An <see cref="AeadCipher"/> running on libsodium through NSec.</summary>
internal sealed class SodiumAeadCipher : AeadCipher
{
    private readonly NSec.Cryptography.AeadAlgorithm _nsecAlgorithm;
    private readonly Key _key;

    public SodiumAeadCipher(AeadAlgorithm algorithm, NSec.Cryptography.AeadAlgorithm nsecAlgorithm, ReadOnlySpan<byte> key)
        : base(algorithm)
    {
        _nsecAlgorithm = nsecAlgorithm;
        _key = Key.Import(nsecAlgorithm, key, KeyBlobFormat.RawSymmetricKey);
    }

    public override string BackendName => SodiumBackend.BackendName;

    protected override void SealCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination) =>
        _nsecAlgorithm.Encrypt(_key, nonce, associatedData, plaintext, destination);

    protected override bool OpenCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> destination) =>
        _nsecAlgorithm.Decrypt(_key, nonce, associatedData, ciphertext, destination);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _key.Dispose();
        }
    }
}
