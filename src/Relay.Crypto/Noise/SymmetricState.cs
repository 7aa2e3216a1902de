using System.Security.Cryptography;
using System.Text;
using Relay.Crypto.Aead;
using Relay.Crypto.Kdf;

namespace Relay.Crypto.Noise;

/// <summary>Noise's SymmetricState: chaining key ck, handshake hash h and a <see cref="CipherState"/>, with SHA-256.</summary>
public sealed class SymmetricState : IDisposable
{
    private const int HashLength = 32;

    private readonly byte[] _chainingKey = new byte[HashLength];
    private readonly byte[] _hash = new byte[HashLength];
    private readonly AeadAlgorithm _algorithm;
    private readonly AeadBackend _backend;

    /// <summary>InitializeSymmetric(protocol_name).</summary>
    public SymmetricState(NoiseProtocol protocol, AeadBackend backend)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        _algorithm = protocol.Cipher;
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        Cipher = new CipherState(_algorithm, backend);
        var name = Encoding.ASCII.GetBytes(protocol.Name);
        if (name.Length <= HashLength)
        {
            name.CopyTo(_hash, 0);
        }
        else
        {
            SHA256.HashData(name, _hash);
        }

        _hash.CopyTo(_chainingKey, 0);
    }

    /// <summary>The handshake's cipher state.</summary>
    public CipherState Cipher { get; }

    /// <summary>The handshake hash h.</summary>
    public ReadOnlySpan<byte> HandshakeHash => _hash;

    /// <summary>MixKey: (ck, temp_k) = HKDF(ck, ikm, 2); InitializeKey(temp_k).</summary>
    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> output1 = stackalloc byte[HashLength];
        Span<byte> output2 = stackalloc byte[HashLength];
        Hkdf(_chainingKey, inputKeyMaterial, output1, output2);
        output1.CopyTo(_chainingKey);
        Cipher.InitializeKey(output2);
        CryptographicOperations.ZeroMemory(output2);
    }

    /// <summary>MixHash: h = SHA256(h || data).</summary>
    public void MixHash(ReadOnlySpan<byte> data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(_hash);
        sha.AppendData(data);
        sha.GetHashAndReset(_hash);
    }

    /// <summary>EncryptAndHash: writes EncryptWithAd(h, plaintext) and mixes it into h; returns bytes written.</summary>
    public int EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        var written = Cipher.EncryptWithAd(_hash, plaintext, destination);
        MixHash(destination[..written]);
        return written;
    }

    /// <summary>DecryptAndHash: writes DecryptWithAd(h, ciphertext) and mixes the ciphertext into h; returns bytes written.</summary>
    public int DecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        var written = Cipher.DecryptWithAd(_hash, ciphertext, destination);
        MixHash(ciphertext);
        return written;
    }

    /// <summary>Split: two cipher states from HKDF(ck, empty, 2), the initiator's sending state first.</summary>
    public (CipherState InitiatorToResponder, CipherState ResponderToInitiator) Split()
    {
        Span<byte> key1 = stackalloc byte[HashLength];
        Span<byte> key2 = stackalloc byte[HashLength];
        Hkdf(_chainingKey, default, key1, key2);
        var first = new CipherState(_algorithm, _backend);
        var second = new CipherState(_algorithm, _backend);
        first.InitializeKey(key1);
        second.InitializeKey(key2);
        CryptographicOperations.ZeroMemory(key1);
        CryptographicOperations.ZeroMemory(key2);
        return (first, second);
    }

    /// <summary>Wipes ck and the cipher state.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_chainingKey);
        Cipher.Dispose();
    }

    // Noise's HKDF with two outputs: temp = HMAC(ck, ikm); out1 = HMAC(temp, 0x01); out2 = HMAC(temp, out1 || 0x02).
    private static void Hkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output1, Span<byte> output2)
    {
        Span<byte> temp = stackalloc byte[HashLength];
        HmacSha256.Compute(chainingKey, inputKeyMaterial, temp);
        HmacSha256.Compute(temp, [0x01], output1);
        Span<byte> input2 = stackalloc byte[HashLength + 1];
        output1.CopyTo(input2);
        input2[HashLength] = 0x02;
        HmacSha256.Compute(temp, input2, output2);
        CryptographicOperations.ZeroMemory(temp);
    }
}
