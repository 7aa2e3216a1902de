using System.Security.Cryptography;
using Relay.Crypto.Native;

namespace Relay.Crypto.Kdf;

/// <summary>
/// HKDF with SHA-256 (RFC 5869) over spans, on <see cref="HmacSha256"/>'s libcrypto path: the
/// pseudorandom key is prepared once (<see cref="HmacSha256Key"/>) and every output block costs two
/// SHA-256 compressions plus its info. Without libcrypto it runs on .NET's <see cref="HKDF"/>; both
/// give the same bytes.
/// </summary>
public static class HkdfSha256
{
    /// <summary>SHA-256 output size in bytes.</summary>
    public const int HashSize = 32;

    /// <summary>The largest output RFC 5869 allows: 255 blocks of the hash size.</summary>
    public const int MaxOutputSize = 255 * HashSize;

    /// <summary>Extract-then-expand: fills <paramref name="output"/> (1 to 8160 bytes) from the input keying material, salt and info.</summary>
    /// <exception cref="ArgumentException">The output is empty or longer than 8160 bytes.</exception>
    public static void DeriveKey(ReadOnlySpan<byte> inputKeyMaterial, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, Span<byte> output)
    {
        ValidateOutput(output.Length);
        if (!LibCryptoSha256.IsAvailable)
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, inputKeyMaterial, output, salt, info);
            return;
        }

        Span<byte> pseudoRandomKey = stackalloc byte[HashSize];
        ExtractCore(inputKeyMaterial, salt, pseudoRandomKey);
        ExpandCore(pseudoRandomKey, info, output);
        CryptographicOperations.ZeroMemory(pseudoRandomKey);
    }

    /// <summary>HKDF-Extract: the 32-byte pseudorandom key from input keying material and salt.</summary>
    public static void Extract(ReadOnlySpan<byte> inputKeyMaterial, ReadOnlySpan<byte> salt, Span<byte> pseudoRandomKey)
    {
        if (pseudoRandomKey.Length != HashSize)
        {
            throw new ArgumentException($"The pseudorandom key is {HashSize} bytes.", nameof(pseudoRandomKey));
        }

        if (!LibCryptoSha256.IsAvailable)
        {
            HKDF.Extract(HashAlgorithmName.SHA256, inputKeyMaterial, salt, pseudoRandomKey);
            return;
        }

        ExtractCore(inputKeyMaterial, salt, pseudoRandomKey);
    }

    /// <summary>HKDF-Expand: fills <paramref name="output"/> from a pseudorandom key of at least 32 bytes and info.</summary>
    public static void Expand(ReadOnlySpan<byte> pseudoRandomKey, ReadOnlySpan<byte> info, Span<byte> output)
    {
        ValidateOutput(output.Length);
        if (pseudoRandomKey.Length < HashSize)
        {
            throw new ArgumentException($"The pseudorandom key is at least {HashSize} bytes.", nameof(pseudoRandomKey));
        }

        if (!LibCryptoSha256.IsAvailable)
        {
            HKDF.Expand(HashAlgorithmName.SHA256, pseudoRandomKey, output, info);
            return;
        }

        ExpandCore(pseudoRandomKey, info, output);
    }

    // PRK = HMAC(salt, IKM); an empty salt is HashLen zero bytes, which HMAC's zero padding makes the same key.
    private static void ExtractCore(ReadOnlySpan<byte> inputKeyMaterial, ReadOnlySpan<byte> salt, Span<byte> pseudoRandomKey)
    {
        var key = HmacSha256Key.Create(salt);
        key.Compute(inputKeyMaterial, pseudoRandomKey);
        key.Clear();
    }

    // T(0) = empty; T(i) = HMAC(PRK, T(i-1) || info || i); output = T(1) || T(2) || ... truncated.
    private static void ExpandCore(ReadOnlySpan<byte> pseudoRandomKey, ReadOnlySpan<byte> info, Span<byte> output)
    {
        var key = HmacSha256Key.Create(pseudoRandomKey);
        Span<byte> block = stackalloc byte[HashSize];
        Span<byte> counter = stackalloc byte[1];
        scoped ReadOnlySpan<byte> previous = default;
        for (var offset = 0; offset < output.Length; offset += HashSize)
        {
            counter[0] = (byte)((offset / HashSize) + 1);
            key.Compute(previous, info, counter, block);
            block[..Math.Min(HashSize, output.Length - offset)].CopyTo(output[offset..]);
            previous = block;
        }

        CryptographicOperations.ZeroMemory(block);
        key.Clear();
    }

    private static void ValidateOutput(int length)
    {
        if (length is <= 0 or > MaxOutputSize)
        {
            throw new ArgumentException($"HKDF-SHA256 output is 1 to {MaxOutputSize} bytes; asked for {length}.", "output");
        }
    }
}
