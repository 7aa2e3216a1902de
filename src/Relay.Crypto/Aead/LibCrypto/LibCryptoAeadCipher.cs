using System.Security.Cryptography;
using Relay.Crypto.Native;

namespace Relay.Crypto.Aead.LibCrypto;

/// <summary>
/// An <see cref="AeadCipher"/> straight on OpenSSL 3: one encrypt and one decrypt context per
/// cipher, made by the provider implementation of the cipher fetched once per process
/// (<see cref="LibCryptoCipher"/>). A call sets only the nonce (and the key, once after each
/// <see cref="AeadCipher.Rekey"/>, in the same init call); nothing is looked up, allocated or
/// re-created per message. The key is kept in a pinned buffer owned by this object, wiped on
/// dispose, and loaded into a context lazily: a session that only seals never expands the key
/// for decryption.
/// </summary>
internal sealed unsafe class LibCryptoAeadCipher : AeadCipher
{
    private readonly LibCryptoCipher _cipher;
    private readonly CipherContextHandle _encryptHandle;
    private readonly CipherContextHandle _decryptHandle;

    // The raw contexts for the hot path: valid while the handles are, and the base class refuses
    // calls after Dispose; a cipher is not used from two threads at once (AeadCipher's contract).
    private readonly IntPtr _encrypt;
    private readonly IntPtr _decrypt;
    private readonly byte[] _key = GC.AllocateUninitializedArray<byte>(AeadAlgorithm.KeySizeBytes, pinned: true);
    private bool _encryptKeyed;
    private bool _decryptKeyed;

    public LibCryptoAeadCipher(AeadAlgorithm algorithm, LibCryptoCipher cipher, ReadOnlySpan<byte> key)
        : base(algorithm)
    {
        _cipher = cipher;
        _encryptHandle = CipherContextHandle.Create(cipher);
        _decryptHandle = CipherContextHandle.Create(cipher);
        _encrypt = _encryptHandle.DangerousGetHandle();
        _decrypt = _decryptHandle.DangerousGetHandle();
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
        var cipher = _cipher;
        var context = _encrypt;
        var length = plaintext.Length;
        nuint written;
        fixed (byte* k = _key)
        fixed (byte* n = nonce)
        fixed (byte* ad = associatedData)
        fixed (byte* m = plaintext)
        fixed (byte* c = destination)
        {
            Start(context, cipher.EncryptInit, ref _encryptKeyed, k, n, nonce.Length, ad, associatedData.Length);

            if (length > 0 && cipher.Update(context, c, m, length) != 1)
            {
                throw cipher.Evp.Failure("update");
            }

            if (cipher.Final(context, c + length, &written, 0) != 1)
            {
                throw cipher.Evp.Failure("final");
            }

            var parameters = stackalloc OsslParam[2];
            parameters[0] = OsslParam.AeadTag(c + length, TagSize);
            parameters[1] = default;
            if (cipher.GetParams(context, parameters) != 1)
            {
                throw cipher.Evp.Failure("get_ctx_params (tag)");
            }
        }
    }

    protected override bool OpenCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        var cipher = _cipher;
        var context = _decrypt;
        var length = destination.Length;
        nuint written;
        fixed (byte* k = _key)
        fixed (byte* n = nonce)
        fixed (byte* ad = associatedData)
        fixed (byte* c = ciphertext)
        fixed (byte* m = destination)
        {
            Start(context, cipher.DecryptInit, ref _decryptKeyed, k, n, nonce.Length, ad, associatedData.Length);

            // The expected tag goes in before the ciphertext, so an in-place open cannot overwrite it first.
            var parameters = stackalloc OsslParam[2];
            parameters[0] = OsslParam.AeadTag(c + length, TagSize);
            parameters[1] = default;
            if (cipher.SetParams(context, parameters) != 1)
            {
                throw cipher.Evp.Failure("set_ctx_params (tag)");
            }

            if (length > 0 && cipher.Update(context, m, c, length) != 1)
            {
                throw cipher.Evp.Failure("update");
            }

            if (cipher.Final(context, m + length, &written, 0) == 1)
            {
                return true;
            }

            // A wrong tag: OpenSSL may have queued an error; leave the thread's queue clean for .NET's own calls.
            cipher.Evp.ClearErrors();
            return false;
        }
    }

    // Sets the nonce (and the key, once after a rekey) and hashes the associated data.
    private void Start(IntPtr context, delegate* unmanaged[SuppressGCTransition]<IntPtr, byte*, nuint, byte*, nuint, OsslParam*, int> init, ref bool keyed, byte* key, byte* nonce, int nonceLength, byte* associatedData, int associatedDataLength)
    {
        if (init(context, keyed ? null : key, keyed ? 0 : (nuint)AeadAlgorithm.KeySizeBytes, nonce, (nuint)nonceLength, null) != 1)
        {
            throw _cipher.Evp.Failure("cipher init (key, nonce)");
        }

        keyed = true;
        if (associatedDataLength > 0 && _cipher.Update(context, null, associatedData, associatedDataLength) != 1)
        {
            throw _cipher.Evp.Failure("update (associated data)");
        }
    }

    protected override void Dispose(bool disposing)
    {
        CryptographicOperations.ZeroMemory(_key);
        _encryptHandle.Dispose();
        _decryptHandle.Dispose();
    }
}
