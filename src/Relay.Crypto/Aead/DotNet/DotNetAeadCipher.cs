using System.Security.Cryptography;

namespace Relay.Crypto.Aead.DotNet;

/// <summary>
/// An <see cref="AeadCipher"/> on .NET's own <see cref="AesGcm"/> or
/// <see cref="System.Security.Cryptography.ChaCha20Poly1305"/>. The two .NET types share no
/// interface, so this class holds whichever one its algorithm needs.
/// </summary>
internal sealed class DotNetAeadCipher : AeadCipher
{
    private AesGcm? _aesGcm;
    private System.Security.Cryptography.ChaCha20Poly1305? _chaCha;

    public DotNetAeadCipher(AeadAlgorithm algorithm, ReadOnlySpan<byte> key)
        : base(algorithm)
    {
        if (algorithm.Id == AeadAlgorithmId.XChaCha20Poly1305)
        {
            throw CryptoErrors.XChaChaNotInDotNet();
        }

        SetKey(key);
    }

    public override string BackendName => DotNetBackend.BackendName;

    public override bool RekeyAllocates => true;

    protected override void RekeyCore(ReadOnlySpan<byte> key)
    {
        _aesGcm?.Dispose();
        _chaCha?.Dispose();
        SetKey(key);
    }

    // .NET's AesGcm and ChaCha20Poly1305 fix their key at construction, so a new key means a new object.
    private void SetKey(ReadOnlySpan<byte> key)
    {
        if (Algorithm.Id == AeadAlgorithmId.Aes256Gcm)
        {
            _aesGcm = new AesGcm(key, AeadAlgorithm.TagSizeBytes);
        }
        else
        {
            _chaCha = new System.Security.Cryptography.ChaCha20Poly1305(key);
        }
    }

    protected override void SealCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        var ciphertext = destination[..plaintext.Length];
        var tag = destination[plaintext.Length..];
        if (_aesGcm is not null)
        {
            _aesGcm.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        }
        else
        {
            _chaCha!.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        }
    }

    protected override bool OpenCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        var body = ciphertext[..destination.Length];
        var tag = ciphertext[destination.Length..];
        try
        {
            if (_aesGcm is not null)
            {
                _aesGcm.Decrypt(nonce, body, tag, destination, associatedData);
            }
            else
            {
                _chaCha!.Decrypt(nonce, body, tag, destination, associatedData);
            }

            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // .NET reports a bad tag only by exception; the contract here is a bool.
            return false;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aesGcm?.Dispose();
            _chaCha?.Dispose();
        }
    }
}
