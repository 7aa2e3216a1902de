using System.Security.Cryptography;

namespace Relay.Crypto.Kdf;

/// <summary>
/// An HMAC-SHA256 key prepared once (RFC 2104): the SHA-256 states after the key's inner pad block
/// (<c>K ^ 0x36..</c>) and outer pad block (<c>K ^ 0x5c..</c>), one compression each. Every MAC
/// under the key then starts from copies of those states, so a MAC of a short message costs two
/// compressions (its inner and outer final blocks) instead of four. Runs on libcrypto's SHA-256
/// only: callers check <see cref="LibCryptoSha256.IsAvailable"/> first. A value type, meant to
/// live on the stack; <see cref="Clear"/> wipes it (the states are as secret as the key).
/// </summary>
internal unsafe struct HmacSha256Key
{
    private const int BlockSize = 64;

    private Sha256Context _inner;
    private Sha256Context _outer;

    /// <summary>Prepares <paramref name="key"/> (any length; longer than a block means its SHA-256, as RFC 2104 says).</summary>
    public static HmacSha256Key Create(ReadOnlySpan<byte> key)
    {
        Span<byte> hashedKey = stackalloc byte[HkdfSha256.HashSize];
        scoped var keyBytes = key;
        if (key.Length > BlockSize)
        {
            Sha256Context context;
            LibCryptoSha256.Init(&context);
            LibCryptoSha256.Update(&context, key);
            fixed (byte* digest = hashedKey)
            {
                LibCryptoSha256.Final(&context, digest);
            }

            keyBytes = hashedKey;
        }

        Span<byte> pad = stackalloc byte[BlockSize];
        HmacSha256Key prepared;
        prepared._inner = PadState(keyBytes, pad, 0x36);
        prepared._outer = PadState(keyBytes, pad, 0x5c);
        CryptographicOperations.ZeroMemory(pad);
        CryptographicOperations.ZeroMemory(hashedKey);
        return prepared;
    }

    /// <summary>Writes HMAC-SHA256(key, <paramref name="data"/>) into <paramref name="tag"/> (32 bytes).</summary>
    public readonly void Compute(ReadOnlySpan<byte> data, Span<byte> tag) => Compute(data, default, default, tag);

    /// <summary>Writes HMAC-SHA256(key, <paramref name="first"/> || <paramref name="second"/> || <paramref name="third"/>) into <paramref name="tag"/> (32 bytes).</summary>
    public readonly void Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third, Span<byte> tag)
    {
        var context = _inner;
        LibCryptoSha256.Update(&context, first);
        LibCryptoSha256.Update(&context, second);
        LibCryptoSha256.Update(&context, third);
        byte* innerDigest = stackalloc byte[HkdfSha256.HashSize];
        LibCryptoSha256.Final(&context, innerDigest);
        context = _outer;
        LibCryptoSha256.Update(&context, new ReadOnlySpan<byte>(innerDigest, HkdfSha256.HashSize));
        fixed (byte* output = tag)
        {
            LibCryptoSha256.Final(&context, output);
        }

        CryptographicOperations.ZeroMemory(new Span<byte>(innerDigest, HkdfSha256.HashSize));
        CryptographicOperations.ZeroMemory(new Span<byte>(&context, sizeof(Sha256Context)));
    }

    /// <summary>Wipes both states.</summary>
    public void Clear()
    {
        fixed (Sha256Context* inner = &_inner)
        fixed (Sha256Context* outer = &_outer)
        {
            CryptographicOperations.ZeroMemory(new Span<byte>(inner, sizeof(Sha256Context)));
            CryptographicOperations.ZeroMemory(new Span<byte>(outer, sizeof(Sha256Context)));
        }
    }

    private static Sha256Context PadState(ReadOnlySpan<byte> key, Span<byte> pad, byte value)
    {
        pad.Fill(value);
        for (var i = 0; i < key.Length; i++)
        {
            pad[i] ^= key[i];
        }

        Sha256Context context;
        LibCryptoSha256.Init(&context);
        LibCryptoSha256.Update(&context, pad);
        return context;
    }
}
