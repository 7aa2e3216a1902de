using System.Security.Cryptography;
using Relay.Crypto.Native;

namespace Relay.Crypto.Kdf;

/// <summary>
/// HMAC-SHA256 over spans: the chain step of the E2E ratchet, Noise's HKDF and the WebSocket token
/// signature. Runs on libcrypto's SHA-256 (SHA-NI where the CPU has it) through a key prepared per
/// call (<see cref="HmacSha256Key"/>), with no algorithm fetch and no allocation; on a machine
/// without OpenSSL 3's libcrypto it runs on .NET's <see cref="HMACSHA256"/>. Both give the same bytes.
/// </summary>
public static class HmacSha256
{
    /// <summary>Full tag size in bytes.</summary>
    public const int TagSize = 32;

    /// <summary>Which implementation runs: <c>libcrypto</c> (OpenSSL's SHA-256 called directly) or <c>openssl</c> (.NET's, the fallback).</summary>
    public static string Implementation => LibCryptoSha256.IsAvailable ? "libcrypto" : "openssl";

    /// <summary>Writes HMAC-SHA256(key, data) into <paramref name="tag"/> (32 bytes).</summary>
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        if (tag.Length != TagSize)
        {
            throw new ArgumentException($"An HMAC-SHA256 tag is {TagSize} bytes; the destination has {tag.Length}.", nameof(tag));
        }

        ComputeCore(key, data, tag);
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
        ComputeCore(key, data, full);
        var equal = CryptographicOperations.FixedTimeEquals(full[..expectedTag.Length], expectedTag);
        CryptographicOperations.ZeroMemory(full);
        return equal;
    }

    /// <summary>The fallback, .NET's one-shot HMAC; internal so tests hold both paths to the same bytes.</summary>
    internal static void ComputeOnDotNet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> tag) =>
        HMACSHA256.HashData(key, data, tag);

    private static void ComputeCore(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        if (!LibCryptoSha256.IsAvailable)
        {
            ComputeOnDotNet(key, data, tag);
            return;
        }

        var prepared = HmacSha256Key.Create(key);
        prepared.Compute(data, tag);
        prepared.Clear();
    }
}
