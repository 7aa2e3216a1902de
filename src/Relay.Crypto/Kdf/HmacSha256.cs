using System.Security.Cryptography;

namespace Relay.Crypto.Kdf;

/// <summary>HMAC-SHA256 over spans: the chain step of the E2E ratchet and the WebSocket token signature.</summary>
public static class HmacSha256
{
    /// <summary>Full tag size in bytes.</summary>
    public const int TagSize = 32;

    /// <summary>Writes HMAC-SHA256(key, data) into <paramref name="tag"/> (32 bytes).</summary>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        if (tag.Length != TagSize)
        {
            throw new ArgumentException($"An HMAC-SHA256 tag is {TagSize} bytes; the destination has {tag.Length}.", nameof(tag));
        }

        HMACSHA256.HashData(key, data, tag);
    }

    /// <summary>
    /// Checks <paramref name="expectedTag"/> against HMAC-SHA256(key, data) in constant time. A
    /// truncated tag (1 to 32 bytes) is compared against the same prefix of the full tag.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> expectedTag)
    {
        if (expectedTag.Length is 0 or > TagSize)
        {
            return false;
        }

        Span<byte> full = stackalloc byte[TagSize];
        HMACSHA256.HashData(key, data, full);
        var equal = CryptographicOperations.FixedTimeEquals(full[..expectedTag.Length], expectedTag);
        CryptographicOperations.ZeroMemory(full);
        return equal;
    }
}
