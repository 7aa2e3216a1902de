using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Relay.Crypto.Native;

namespace Relay.Crypto.Aead.Sodium;

/// <summary>
/// An <see cref="AeadCipher"/> on libsodium. The key lives in a pinned array owned by this
/// object (wiped on rekey and dispose) and is passed to libsodium's raw-key functions, so
/// <see cref="AeadCipher.Rekey"/> costs a 32-byte copy and allocates nothing.
/// </summary>
internal sealed unsafe class SodiumAeadCipher : AeadCipher
{
    private readonly byte[] _key = GC.AllocateUninitializedArray<byte>(AeadAlgorithm.KeySizeBytes, pinned: true);

    public SodiumAeadCipher(AeadAlgorithm algorithm, ReadOnlySpan<byte> key)
        : base(algorithm)
    {
        LibSodium.EnsureInitialized();
        key.CopyTo(_key);
    }

    public override string BackendName => SodiumBackend.BackendName;

    public override bool RekeyAllocates => false;

    protected override void SealCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        int result;
        fixed (byte* k = _key)
        fixed (byte* n = &MemoryMarshal.GetReference(nonce))
        fixed (byte* ad = &MemoryMarshal.GetReference(associatedData))
        fixed (byte* m = &MemoryMarshal.GetReference(plaintext))
        fixed (byte* c = &MemoryMarshal.GetReference(destination))
        {
            result = Algorithm.Id switch
            {
                AeadAlgorithmId.ChaCha20Poly1305 => LibSodium.crypto_aead_chacha20poly1305_ietf_encrypt(c, out _, m, (ulong)plaintext.Length, ad, (ulong)associatedData.Length, null, n, k),
                AeadAlgorithmId.Aes256Gcm => LibSodium.crypto_aead_aes256gcm_encrypt(c, out _, m, (ulong)plaintext.Length, ad, (ulong)associatedData.Length, null, n, k),
                _ => LibSodium.crypto_aead_xchacha20poly1305_ietf_encrypt(c, out _, m, (ulong)plaintext.Length, ad, (ulong)associatedData.Length, null, n, k),
            };
        }

        if (result != 0)
        {
            throw new CryptographicException($"libsodium refused to seal with {Algorithm.Name} (result {result}).");
        }
    }

    protected override bool OpenCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        fixed (byte* k = _key)
        fixed (byte* n = &MemoryMarshal.GetReference(nonce))
        fixed (byte* ad = &MemoryMarshal.GetReference(associatedData))
        fixed (byte* c = &MemoryMarshal.GetReference(ciphertext))
        fixed (byte* m = &MemoryMarshal.GetReference(destination))
        {
            var result = Algorithm.Id switch
            {
                AeadAlgorithmId.ChaCha20Poly1305 => LibSodium.crypto_aead_chacha20poly1305_ietf_decrypt(m, out _, null, c, (ulong)ciphertext.Length, ad, (ulong)associatedData.Length, n, k),
                AeadAlgorithmId.Aes256Gcm => LibSodium.crypto_aead_aes256gcm_decrypt(m, out _, null, c, (ulong)ciphertext.Length, ad, (ulong)associatedData.Length, n, k),
                _ => LibSodium.crypto_aead_xchacha20poly1305_ietf_decrypt(m, out _, null, c, (ulong)ciphertext.Length, ad, (ulong)associatedData.Length, n, k),
            };
            return result == 0;
        }
    }

    protected override void RekeyCore(ReadOnlySpan<byte> key) => key.CopyTo(_key);

    protected override void Dispose(bool disposing) => CryptographicOperations.ZeroMemory(_key);
}
