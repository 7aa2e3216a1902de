using System.Security.Cryptography;

namespace Relay.Crypto.Kdf;

/// <summary>HKDF with SHA-256 (RFC 5869) over spans, on .NET's one-shot implementation.</summary>
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
        HKDF.DeriveKey(HashAlgorithmName.SHA256, inputKeyMaterial, output, salt, info);
    }

    /// <summary>HKDF-Extract: the 32-byte pseudorandom key from input keying material and salt.</summary>
    public static void Extract(ReadOnlySpan<byte> inputKeyMaterial, ReadOnlySpan<byte> salt, Span<byte> pseudoRandomKey)
    {
        if (pseudoRandomKey.Length != HashSize)
        {
            throw new ArgumentException($"The pseudorandom key is {HashSize} bytes.", nameof(pseudoRandomKey));
        }

        HKDF.Extract(HashAlgorithmName.SHA256, inputKeyMaterial, salt, pseudoRandomKey);
    }

    /// <summary>HKDF-Expand: fills <paramref name="output"/> from a pseudorandom key of at least 32 bytes and info.</summary>
    public static void Expand(ReadOnlySpan<byte> pseudoRandomKey, ReadOnlySpan<byte> info, Span<byte> output)
    {
        ValidateOutput(output.Length);
        if (pseudoRandomKey.Length < HashSize)
        {
            throw new ArgumentException($"The pseudorandom key is at least {HashSize} bytes.", nameof(pseudoRandomKey));
        }

        HKDF.Expand(HashAlgorithmName.SHA256, pseudoRandomKey, output, info);
    }

    private static void ValidateOutput(int length)
    {
        if (length is <= 0 or > MaxOutputSize)
        {
            throw new ArgumentException($"HKDF-SHA256 output is 1 to {MaxOutputSize} bytes; asked for {length}.", "output");
        }
    }
}
