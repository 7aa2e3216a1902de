using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Tokens;

/// <summary>
/// The WebSocket gateway's bearer token: <c>base64url(identity (32) || expiry (8, Unix seconds,
/// big-endian)) "." base64url(HMAC-SHA256(secret, those 40 bytes))</c>. It names the identity
/// a WebSocket client acts as; only a holder of the relay's secret can mint one.
/// </summary>
public static class RelayToken
{
    private const int BodySize = Identity.Size + 8;

    /// <summary>Mints a token for <paramref name="identity"/> valid until <paramref name="expires"/>.</summary>
    public static string Mint(Identity identity, DateTimeOffset expires, ReadOnlySpan<byte> secret)
    {
        if (secret.Length < 16)
        {
            throw new ArgumentException("The token secret must be at least 16 bytes.", nameof(secret));
        }

        Span<byte> body = stackalloc byte[BodySize];
        identity.CopyTo(body);
        BinaryPrimitives.WriteInt64BigEndian(body[Identity.Size..], expires.ToUnixTimeSeconds());
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(secret, body, mac);
        return Base64Url.EncodeToString(body) + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>Checks a token's signature and expiry; on success gives the identity it names.</summary>
    public static TokenCheck Verify(string? token, ReadOnlySpan<byte> secret, DateTimeOffset now, out Identity identity)
    {
        identity = default;
        if (string.IsNullOrEmpty(token) || token.Length > 200)
        {
            return TokenCheck.Missing;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        Span<byte> body = stackalloc byte[BodySize + 4];
        Span<byte> mac = stackalloc byte[32 + 4];
        if (dot <= 0 || !TryDecode(token.AsSpan(0, dot), body, BodySize) || !TryDecode(token.AsSpan(dot + 1), mac, 32))
        {
            return TokenCheck.Malformed;
        }

        // Only Mint's spelling: the decoder also skips whitespace and takes '=' padding, which
        // would give one token many spellings (found by fuzz/ and RelayTokenPropertyTests).
        if (!IsMintSpelling(token.AsSpan(0, dot), body[..BodySize]) || !IsMintSpelling(token.AsSpan(dot + 1), mac[..32]))
        {
            return TokenCheck.Malformed;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(secret, body[..BodySize], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, mac[..32]))
        {
            return TokenCheck.BadSignature;
        }

        if (BinaryPrimitives.ReadInt64BigEndian(body[Identity.Size..]) < now.ToUnixTimeSeconds())
        {
            return TokenCheck.Expired;
        }

        identity = new Identity(body[..Identity.Size]);
        return TokenCheck.Valid;
    }

    private static bool IsMintSpelling(ReadOnlySpan<char> text, ReadOnlySpan<byte> decoded)
    {
        Span<char> encoded = stackalloc char[64];
        return Base64Url.TryEncodeToChars(decoded, encoded, out var written) && text.SequenceEqual(encoded[..written]);
    }

    // Base64Url.TryDecodeFromChars throws (rather than returning false) on characters outside the alphabet.
    private static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, int expectedLength)
    {
        try
        {
            return Base64Url.TryDecodeFromChars(text, destination, out var written) && written == expectedLength;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>What a token check found.</summary>
public enum TokenCheck
{
    /// <summary>Signed by the secret and not expired.</summary>
    Valid,

    /// <summary>No token.</summary>
    Missing,

    /// <summary>Not in the token's form.</summary>
    Malformed,

    /// <summary>Not signed by this relay's secret.</summary>
    BadSignature,

    /// <summary>Past its expiry.</summary>
    Expired,
}
