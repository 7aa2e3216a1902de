using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Relay.Crypto.Native;

/// <summary>
/// OpenSSL's <c>SHA256_CTX</c>, held by value. Its layout is public (<c>openssl/sha.h</c>):
/// <c>SHA_LONG h[8]</c> (the chaining value), <c>SHA_LONG Nl, Nh</c> (the bit count, low and high
/// words), <c>SHA_LONG data[16]</c>, <c>unsigned int num, md_len</c>: 112 bytes. Sized 128 bytes:
/// room to spare if a build ever laid it out larger, so OpenSSL could never write past it.
/// <c>SHA256_Transform</c> reads and writes only <c>h</c>, so a keyed HMAC state is just its
/// 32-byte chaining value (<see cref="LoadChainingValue"/>/<see cref="StoreChainingValue"/>).
/// </summary>
/// <remarks>
/// Everything here that feeds OpenSSL's SHA code uses 128-bit vectors only: that code is legacy-SSE
/// encoded, and after 256-bit AVX (which the JIT does not clear with <c>vzeroupper</c> before an
/// unmanaged call that skips the GC transition) each of its instructions would merge with the
/// dirty upper halves (measured: a chain step's overhead over its compressions halved without them).
/// </remarks>
[StructLayout(LayoutKind.Sequential, Size = 128)]
internal unsafe struct Sha256Context
{
    /// <summary>Bytes of the chaining value <c>h[8]</c>, at the start of the struct.</summary>
    public const int ChainingValueSize = 32;

    private long _first;

    /// <summary>The chaining value <c>h[8]</c>.</summary>
    public static ChainingValue LoadChainingValue(Sha256Context* context) =>
        new(Vector128.Load((byte*)context), Vector128.Load((byte*)context + 16));

    /// <summary>Sets the chaining value <c>h[8]</c>; the rest of the struct is left as it is.</summary>
    public static void StoreChainingValue(Sha256Context* context, ChainingValue value)
    {
        Vector128.Store(value.Low, (byte*)context);
        Vector128.Store(value.High, (byte*)context + 16);
    }

    /// <summary>Sets how many bits the state has hashed (<c>Nl</c>, <c>Nh</c>, right after <c>h</c>), for <c>SHA256_Update</c>/<c>_Final</c> to continue from a chaining value.</summary>
    public static void SetBitCount(Sha256Context* context, ulong bits)
    {
        var count = (uint*)((byte*)context + ChainingValueSize);
        count[0] = (uint)bits;
        count[1] = (uint)(bits >> 32);
    }

    /// <summary>
    /// Writes the chaining value as a digest (each word big-endian, as <c>SHA256_Final</c> does):
    /// the hash itself once the last, padded block went through <c>SHA256_Transform</c>.
    /// </summary>
    public static void WriteDigest(Sha256Context* context, byte* digest)
    {
        var words = (uint*)context;
        var output = (uint*)digest;
        for (var i = 0; i < ChainingValueSize / sizeof(uint); i++)
        {
            output[i] = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(words[i]) : words[i];
        }
    }
}

/// <summary>A SHA-256 chaining value <c>h[8]</c> (32 bytes) in two 128-bit halves.</summary>
internal readonly record struct ChainingValue(Vector128<byte> Low, Vector128<byte> High);
