using System.Buffers.Binary;
using System.Security.Cryptography;
using Relay.Crypto.Aead;

namespace Relay.Crypto.Noise;

/// <summary>
/// Noise's CipherState: a key k (or none) and a 64-bit counter nonce n. Encryption with no key
/// copies the plaintext. The nonce is encoded per cipher function: ChaChaPoly puts 4 zero
/// bytes then n little-endian; AESGCM 4 zero bytes then n big-endian. n = 2^64-1 is reserved
/// and never used. Allocation-free after the key is set; one thread at a time.
/// </summary>
public sealed class CipherState : IDisposable
{
    private readonly AeadAlgorithm _algorithm;
    private readonly AeadBackend _backend;
    private readonly byte[] _key = new byte[32];
    private AeadCipher? _cipher;

    /// <summary>Creates an empty cipher state for <paramref name="algorithm"/> on <paramref name="backend"/>.</summary>
    public CipherState(AeadAlgorithm algorithm, AeadBackend backend)
    {
        _algorithm = algorithm ?? throw new ArgumentNullException(nameof(algorithm));
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
    }

    /// <summary>Whether a key is set.</summary>
    public bool HasKey => _cipher is not null;

    /// <summary>The next nonce.</summary>
    public ulong Nonce { get; private set; }

    /// <summary>Sets the key and resets the nonce (InitializeKey).</summary>
    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        key[..32].CopyTo(_key);
        if (_cipher is null)
        {
            _cipher = _backend.Create(_algorithm, _key);
        }
        else
        {
            _cipher.Rekey(_key);
        }

        Nonce = 0;
    }

    /// <summary>For tests: sets the nonce, e.g. near its limit.</summary>
    public void SetNonce(ulong nonce) => Nonce = nonce;

    /// <summary>Encrypts into <paramref name="destination"/> (plaintext length + 16 with a key, else the plaintext length); returns bytes written.</summary>
    /// <exception cref="NoiseException">With <see cref="NoiseError.NonceExhausted"/> once the nonce would reach 2^64-1.</exception>
    public int EncryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (_cipher is null)
        {
            plaintext.CopyTo(destination);
            return plaintext.Length;
        }

        CheckNonce();
        Span<byte> nonce = stackalloc byte[12];
        WriteNonce(nonce, Nonce);
        _cipher.Seal(nonce, associatedData, plaintext, destination[..(plaintext.Length + 16)]);
        Nonce++;
        return plaintext.Length + 16;
    }

    /// <summary>Decrypts into <paramref name="destination"/>; returns bytes written. The nonce advances only on success.</summary>
    /// <exception cref="NoiseException">With <see cref="NoiseError.DecryptFailed"/>, <see cref="NoiseError.Truncated"/> or <see cref="NoiseError.NonceExhausted"/>.</exception>
    public int DecryptWithAd(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        if (_cipher is null)
        {
            ciphertext.CopyTo(destination);
            return ciphertext.Length;
        }

        if (ciphertext.Length < 16)
        {
            throw new NoiseException(NoiseError.Truncated, $"a Noise ciphertext of {ciphertext.Length} bytes is shorter than its tag");
        }

        CheckNonce();
        Span<byte> nonce = stackalloc byte[12];
        WriteNonce(nonce, Nonce);
        if (!_cipher.TryOpen(nonce, associatedData, ciphertext, destination[..(ciphertext.Length - 16)]))
        {
            throw new NoiseException(NoiseError.DecryptFailed, "a Noise message failed authentication");
        }

        Nonce++;
        return ciphertext.Length - 16;
    }

    /// <summary>Rekey(): k = the first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes); the nonce is kept.</summary>
    public void Rekey()
    {
        if (_cipher is null)
        {
            throw new NoiseException(NoiseError.MissingKey, "Rekey on a cipher state without a key");
        }

        Span<byte> nonce = stackalloc byte[12];
        WriteNonce(nonce, ulong.MaxValue);
        Span<byte> zeros = stackalloc byte[32];
        zeros.Clear();
        Span<byte> output = stackalloc byte[48];
        _cipher.Seal(nonce, default, zeros, output);
        output[..32].CopyTo(_key);
        _cipher.Rekey(_key);
        CryptographicOperations.ZeroMemory(output);
    }

    /// <summary>Wipes the key.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_key);
        _cipher?.Dispose();
    }

    private void CheckNonce()
    {
        if (Nonce == ulong.MaxValue)
        {
            throw new NoiseException(NoiseError.NonceExhausted, "the Noise nonce reached 2^64-1; the channel must end");
        }
    }

    private void WriteNonce(Span<byte> nonce, ulong n)
    {
        nonce[..4].Clear();
        if (_algorithm.Id == AeadAlgorithmId.Aes256Gcm)
        {
            BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], n);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], n);
        }
    }
}
