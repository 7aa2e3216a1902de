using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Relay.Crypto.Native;

namespace Relay.Crypto.Kdf;

/// <summary>
/// An HMAC-SHA256 key prepared once (RFC 2104): the SHA-256 chaining values after the key's inner
/// pad block (<c>K ^ 0x36..</c>) and outer pad block (<c>K ^ 0x5c..</c>), one compression each.
/// Every MAC under the key starts from those. A message of at most 55 bytes fits, with SHA-256's
/// padding (FIPS 180-4, 5.1.1: <c>0x80</c>, zeros, the bit length big-endian), in one block, so its
/// MAC costs exactly two compressions, each a single <c>SHA256_Transform</c> call on a block padded
/// here; longer messages go through <c>SHA256_Update</c>/<c>_Final</c>. Runs on libcrypto's SHA-256
/// only: callers check <see cref="LibCryptoSha256.IsAvailable"/> first. A value type of 64 bytes,
/// meant to live on the stack; <see cref="Clear"/> wipes it (the chaining values are as secret as the key).
/// </summary>
internal unsafe struct HmacSha256Key
{
    private const int BlockSize = 64;
    private const int DigestSize = HkdfSha256.HashSize;

    /// <summary>The longest message whose padding still fits its block: 64 - the 0x80 byte - the 8-byte length.</summary>
    private const int SingleBlockMessage = BlockSize - 1 - 8;

    private ChainingValue _inner;
    private ChainingValue _outer;

    /// <summary>Prepares <paramref name="key"/> (any length; longer than a block means its SHA-256, as RFC 2104 says).</summary>
    [SkipLocalsInit]
    public static HmacSha256Key Create(ReadOnlySpan<byte> key)
    {
        var innerPad = stackalloc byte[BlockSize];
        var outerPad = stackalloc byte[BlockSize];
        if (key.Length > BlockSize)
        {
            var hashedKey = stackalloc byte[DigestSize];
            Sha256Context hashing;
            LibCryptoSha256.Init(&hashing);
            LibCryptoSha256.Update(&hashing, key);
            LibCryptoSha256.Final(&hashing, hashedKey);
            PadBlocks(new ReadOnlySpan<byte>(hashedKey, DigestSize), innerPad, outerPad);
            CryptographicOperations.ZeroMemory(new Span<byte>(hashedKey, DigestSize));
        }
        else
        {
            PadBlocks(key, innerPad, outerPad);
        }

        // The two pad blocks are independent: issued back to back, the CPU overlaps them.
        Sha256Context inner;
        Sha256Context outer;
        Sha256Context.StoreChainingValue(&inner, LibCryptoSha256.InitialChainingValue);
        Sha256Context.StoreChainingValue(&outer, LibCryptoSha256.InitialChainingValue);
        LibCryptoSha256.Transform(&inner, innerPad);
        LibCryptoSha256.Transform(&outer, outerPad);
        HmacSha256Key prepared;
        prepared._inner = Sha256Context.LoadChainingValue(&inner);
        prepared._outer = Sha256Context.LoadChainingValue(&outer);
        Sha256Context.StoreChainingValue(&inner, default);
        Sha256Context.StoreChainingValue(&outer, default);
        ClearBlocks(innerPad, outerPad);
        return prepared;
    }

    /// <summary>Writes HMAC-SHA256(key, <paramref name="data"/>) into <paramref name="tag"/> (32 bytes).</summary>
    public readonly void Compute(ReadOnlySpan<byte> data, Span<byte> tag) => Compute(data, default, default, tag);

    /// <summary>Writes HMAC-SHA256(key, <paramref name="first"/> || <paramref name="second"/> || <paramref name="third"/>) into <paramref name="tag"/> (32 bytes).</summary>
    [SkipLocalsInit]
    public readonly void Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third, Span<byte> tag)
    {
        var block = stackalloc byte[BlockSize];
        Sha256Context context;
        var length = first.Length + second.Length + third.Length;
        if (length <= SingleBlockMessage)
        {
            Sha256Context.StoreChainingValue(&context, _inner);
            MessageBlock(block, first, second, third);
            LibCryptoSha256.Transform(&context, block);
            DigestBlocks(block, &context, null, null);
        }
        else
        {
            // Continue from the inner chaining value with the pad block counted, then let OpenSSL pad.
            LibCryptoSha256.Init(&context);
            Sha256Context.StoreChainingValue(&context, _inner);
            Sha256Context.SetBitCount(&context, BlockSize * 8);
            LibCryptoSha256.Update(&context, first);
            LibCryptoSha256.Update(&context, second);
            LibCryptoSha256.Update(&context, third);
            LibCryptoSha256.Final(&context, block);
            DigestBlocks(block, null, null, null);
        }

        Sha256Context.StoreChainingValue(&context, _outer);
        LibCryptoSha256.Transform(&context, block);
        fixed (byte* output = tag)
        {
            Sha256Context.WriteDigest(&context, output);
        }

        Sha256Context.StoreChainingValue(&context, default);
        ClearBlocks(block, null);
    }

    /// <summary>
    /// Writes the HMACs of two messages of at most 55 bytes each under this key. The four
    /// compressions run in the order inner, inner, outer, outer: each pair is independent, so the
    /// CPU overlaps them (measured here with libcrypto's SHA-NI code: 36 ns a compression
    /// interleaved against 51 ns back to back).
    /// </summary>
    [SkipLocalsInit]
    public readonly void ComputePair(ReadOnlySpan<byte> firstMessage, ReadOnlySpan<byte> secondMessage, Span<byte> firstTag, Span<byte> secondTag)
    {
        if (firstMessage.Length > SingleBlockMessage || secondMessage.Length > SingleBlockMessage)
        {
            Compute(firstMessage, firstTag);
            Compute(secondMessage, secondTag);
            return;
        }

        var blocks = stackalloc byte[2 * BlockSize];
        MessageBlocks(blocks, firstMessage, blocks + BlockSize, secondMessage);
        ComputePairOfPadded(new ReadOnlySpan<byte>(blocks, BlockSize), new ReadOnlySpan<byte>(blocks + BlockSize, BlockSize), firstTag, secondTag);
        ClearBlocks(blocks, blocks + BlockSize);
    }

    /// <summary>
    /// As <see cref="ComputePair"/>, for messages already padded into their inner final blocks by
    /// <see cref="PadMessage"/>: a caller whose messages are constants (the chain step's 0x01 and
    /// 0x02) pads them once, not per call.
    /// </summary>
    [SkipLocalsInit]
    public readonly void ComputePairOfPadded(ReadOnlySpan<byte> firstBlock, ReadOnlySpan<byte> secondBlock, Span<byte> firstTag, Span<byte> secondTag)
    {
        if (firstBlock.Length != BlockSize || secondBlock.Length != BlockSize)
        {
            throw new ArgumentException($"A padded message block is {BlockSize} bytes.");
        }

        var outerBlocks = stackalloc byte[2 * BlockSize];
        var first = outerBlocks;
        var second = outerBlocks + BlockSize;
        Sha256Context firstContext;
        Sha256Context secondContext;
        fixed (byte* firstInner = firstBlock)
        fixed (byte* secondInner = secondBlock)
        {
            TransformPair(_inner, &firstContext, firstInner, &secondContext, secondInner);
        }

        DigestBlocks(first, &firstContext, second, &secondContext);
        TransformPair(_outer, &firstContext, first, &secondContext, second);
        fixed (byte* firstOutput = firstTag)
        fixed (byte* secondOutput = secondTag)
        {
            Sha256Context.WriteDigest(&firstContext, firstOutput);
            Sha256Context.WriteDigest(&secondContext, secondOutput);
        }

        Sha256Context.StoreChainingValue(&firstContext, default);
        Sha256Context.StoreChainingValue(&secondContext, default);
        ClearBlocks(first, second);
    }

    /// <summary>
    /// Pads a message of at most 55 bytes into the 64-byte inner final block HMAC hashes after the
    /// pad block: the message, <c>0x80</c>, zeros, the bit length (pad block + message) big-endian.
    /// </summary>
    /// <exception cref="ArgumentException">The message is longer than 55 bytes, or the block is not 64.</exception>
    public static void PadMessage(ReadOnlySpan<byte> message, Span<byte> block)
    {
        if (message.Length > SingleBlockMessage || block.Length != BlockSize)
        {
            throw new ArgumentException($"Only a message of at most {SingleBlockMessage} bytes pads into one {BlockSize}-byte block.");
        }

        fixed (byte* output = block)
        {
            MessageBlock(output, message, default, default);
        }
    }

    // Two independent compressions from the same chaining value, issued back to back so they overlap.
    private static void TransformPair(ChainingValue start, Sha256Context* first, byte* firstBlock, Sha256Context* second, byte* secondBlock)
    {
        Sha256Context.StoreChainingValue(first, start);
        Sha256Context.StoreChainingValue(second, start);
        LibCryptoSha256.Transform(first, firstBlock);
        LibCryptoSha256.Transform(second, secondBlock);
    }

    /// <summary>Wipes both chaining values.</summary>
    public void Clear()
    {
        _inner = default;
        _outer = default;
    }

    // The block helpers below are never inlined: the JIT widens their stores to 256/512-bit, and
    // only a method's epilog clears the upper halves (vzeroupper) before the next call into
    // OpenSSL's legacy-SSE SHA code, which would otherwise merge with them on every instruction
    // (measured: a chain step's overhead over its six compressions halved).

    // The pad blocks K ^ 0x36.. and K ^ 0x5c.. of a key of at most 64 bytes.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PadBlocks(ReadOnlySpan<byte> key, byte* innerPad, byte* outerPad)
    {
        var inner = new Span<byte>(innerPad, BlockSize);
        var outer = new Span<byte>(outerPad, BlockSize);
        inner.Fill(0x36);
        outer.Fill(0x5c);
        if (key.Length == 32)
        {
            // The chain and Noise keys: two 16-byte lanes instead of a byte loop.
            fixed (byte* k = key)
            {
                for (var offset = 0; offset < 32; offset += 16)
                {
                    var lane = Vector128.Load(k + offset);
                    Vector128.Store(lane ^ Vector128.Create((byte)0x36), innerPad + offset);
                    Vector128.Store(lane ^ Vector128.Create((byte)0x5c), outerPad + offset);
                }
            }

            return;
        }

        for (var i = 0; i < key.Length; i++)
        {
            inner[i] ^= key[i];
            outer[i] ^= key[i];
        }
    }

    // The inner final block of a message of at most 55 bytes (given in up to three parts): the
    // message, 0x80, zeros, and the bit length of pad block + message, big-endian.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MessageBlock(byte* block, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third)
    {
        var message = new Span<byte>(block, BlockSize);
        message.Clear();
        first.CopyTo(message);
        second.CopyTo(message[first.Length..]);
        third.CopyTo(message[(first.Length + second.Length)..]);
        var length = first.Length + second.Length + third.Length;
        message[length] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(message[(BlockSize - 8)..], (ulong)(BlockSize + length) * 8);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MessageBlocks(byte* first, ReadOnlySpan<byte> firstMessage, byte* second, ReadOnlySpan<byte> secondMessage)
    {
        MessageBlock(first, firstMessage, default, default);
        MessageBlock(second, secondMessage, default, default);
    }

    // The outer final blocks: each inner digest (written here from its state, or already in the
    // block when the state is null), 0x80, zeros, and the bit length of pad block + digest (768).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DigestBlocks(byte* first, Sha256Context* firstInner, byte* second, Sha256Context* secondInner)
    {
        DigestBlock(first, firstInner);
        if (second is not null)
        {
            DigestBlock(second, secondInner);
        }
    }

    private static void DigestBlock(byte* block, Sha256Context* inner)
    {
        if (inner is not null)
        {
            Sha256Context.WriteDigest(inner, block);
        }

        var tail = new Span<byte>(block + DigestSize, BlockSize - DigestSize);
        tail.Clear();
        tail[0] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(tail[^8..], (BlockSize + DigestSize) * 8);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ClearBlocks(byte* first, byte* second)
    {
        new Span<byte>(first, BlockSize).Clear();
        if (second is not null)
        {
            new Span<byte>(second, BlockSize).Clear();
        }
    }
}
