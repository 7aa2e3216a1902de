using System.Security.Cryptography;

namespace Relay.Crypto.Aead.LibCrypto;

/// <summary>
/// An <see cref="AeadCipher"/> straight on OpenSSL 3's EVP interface: one encrypt and one decrypt
/// <c>EVP_CIPHER_CTX</c> per cipher, bound to the cipher fetched once per process. A call sets only
/// the nonce (and the key, once after each <see cref="AeadCipher.Rekey"/>, in the same init call);
/// nothing is looked up, allocated or re-created per message. The key is kept in a pinned buffer
/// owned by this object, wiped on dispose, and loaded into a context lazily: a session that only
/// seals never expands the key for decryption.
/// </summary>
internal sealed unsafe class LibCryptoAeadCipher : AeadCipher
{
    private readonly LibCryptoEvp _evp;
    private readonly EvpCipherContextHandle _encryptHandle;
    private readonly EvpCipherContextHandle _decryptHandle;

    // The raw contexts for the hot path: valid while the handles are, and the base class refuses
    // calls after Dispose; a cipher is not used from two threads at once (AeadCipher's contract).
    private readonly IntPtr _encrypt;
    private readonly IntPtr _decrypt;
    private readonly byte[] _key = GC.AllocateUninitializedArray<byte>(AeadAlgorithm.KeySizeBytes, pinned: true);
    private bool _encryptKeyed;
    private bool _decryptKeyed;

    public LibCryptoAeadCipher(AeadAlgorithm algorithm, LibCryptoEvp evp, IntPtr cipher, ReadOnlySpan<byte> key)
        : base(algorithm)
    {
        _evp = evp;
        _encryptHandle = EvpCipherContextHandle.Create(evp);
        _decryptHandle = EvpCipherContextHandle.Create(evp);
        _encrypt = _encryptHandle.DangerousGetHandle();
        _decrypt = _decryptHandle.DangerousGetHandle();
        if (evp.EncryptInit(_encrypt, cipher, null, null, null) != 1)
        {
            throw evp.Failure("EVP_EncryptInit_ex2");
        }

        if (evp.DecryptInit(_decrypt, cipher, null, null, null) != 1)
        {
            throw evp.Failure("EVP_DecryptInit_ex2");
        }

        key.CopyTo(_key);
    }

    public override string BackendName => LibCryptoBackend.BackendName;

    public override bool RekeyAllocates => false;

    protected override void RekeyCore(ReadOnlySpan<byte> key)
    {
        key.CopyTo(_key);
        _encryptKeyed = false;
        _decryptKeyed = false;
    }

    protected override void SealCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        var evp = _evp;
        var context = _encrypt;
        var length = plaintext.Length;
        int written;
        fixed (byte* k = _key)
        fixed (byte* n = nonce)
        fixed (byte* ad = associatedData)
        fixed (byte* m = plaintext)
        fixed (byte* c = destination)
        {
            if (evp.EncryptInit(context, IntPtr.Zero, _encryptKeyed ? null : k, n, null) != 1)
            {
                throw evp.Failure("EVP_EncryptInit_ex2");
            }

            _encryptKeyed = true;
            if (associatedData.Length > 0 && Encrypt(context, null, &written, ad, associatedData.Length) != 1)
            {
                throw evp.Failure("EVP_EncryptUpdate (associated data)");
            }

            if (length > 0 && Encrypt(context, c, &written, m, length) != 1)
            {
                throw evp.Failure("EVP_EncryptUpdate");
            }

            if (evp.EncryptFinal(context, c + length, &written) != 1)
            {
                throw evp.Failure("EVP_EncryptFinal_ex");
            }

            var parameters = stackalloc OsslParam[2];
            parameters[0] = OsslParam.AeadTag(c + length, TagSize);
            parameters[1] = default;
            if (evp.GetParams(context, parameters) != 1)
            {
                throw evp.Failure("EVP_CIPHER_CTX_get_params (tag)");
            }
        }
    }

    protected override bool OpenCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        var evp = _evp;
        var context = _decrypt;
        var length = destination.Length;
        int written;
        fixed (byte* k = _key)
        fixed (byte* n = nonce)
        fixed (byte* ad = associatedData)
        fixed (byte* c = ciphertext)
        fixed (byte* m = destination)
        {
            if (evp.DecryptInit(context, IntPtr.Zero, _decryptKeyed ? null : k, n, null) != 1)
            {
                throw evp.Failure("EVP_DecryptInit_ex2");
            }

            _decryptKeyed = true;

            // The expected tag goes in before any update, so an in-place open cannot overwrite it first.
            var parameters = stackalloc OsslParam[2];
            parameters[0] = OsslParam.AeadTag(c + length, TagSize);
            parameters[1] = default;
            if (evp.SetParams(context, parameters) != 1)
            {
                throw evp.Failure("EVP_CIPHER_CTX_set_params (tag)");
            }

            if (associatedData.Length > 0 && Decrypt(context, null, &written, ad, associatedData.Length) != 1)
            {
                throw evp.Failure("EVP_DecryptUpdate (associated data)");
            }

            if (length > 0 && Decrypt(context, m, &written, c, length) != 1)
            {
                throw evp.Failure("EVP_DecryptUpdate");
            }

            if (evp.DecryptFinal(context, m + length, &written) > 0)
            {
                return true;
            }

            // A wrong tag: OpenSSL may have queued an error; leave the thread's queue clean for .NET's own calls.
            evp.ClearErrors();
            return false;
        }
    }

    protected override void Dispose(bool disposing)
    {
        CryptographicOperations.ZeroMemory(_key);
        _encryptHandle.Dispose();
        _decryptHandle.Dispose();
    }

    private int Encrypt(IntPtr context, byte* output, int* written, byte* input, int length) =>
        length <= LibCryptoEvp.ShortUpdateBytes
            ? _evp.EncryptUpdateShort(context, output, written, input, length)
            : _evp.EncryptUpdate(context, output, written, input, length);

    private int Decrypt(IntPtr context, byte* output, int* written, byte* input, int length) =>
        length <= LibCryptoEvp.ShortUpdateBytes
            ? _evp.DecryptUpdateShort(context, output, written, input, length)
            : _evp.DecryptUpdate(context, output, written, input, length);
}
