using System.Globalization;
using System.Numerics;

namespace Relay.Crypto.E2e;

/// <summary>
/// How an E2E plaintext is padded before sealing, so the relay sees a size class instead of the
/// exact length. Every scheme uses the same wire form (the envelope's padded flag and ISO/IEC
/// 7816-4 padding: <c>0x80</c> then zeros), so a receiver opens any of them without knowing which
/// one the sender chose; a scheme only decides the padded body length for a content of n bytes
/// (the plaintext plus the one <c>0x80</c> byte):
/// <list type="table">
/// <item><term><c>none</c></term><description>no padding, no flag: the exact length.</description></item>
/// <item><term><c>block:N</c></term><description>the next multiple of N.</description></item>
/// <item><term><c>pow2</c></term><description>the next power of two (overhead up to 100 %).</description></item>
/// <item><term><c>padme</c></term><description>Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication with PURBs", PoPETs 2019): keep the top ⌊log2 ⌊log2 n⌋⌋ + 1 bits of n's ⌊log2 n⌋ + 1, round the rest up; at most ~12 % overhead and O(log log n) classes per power of two.</description></item>
/// </list>
/// A padded length over <see cref="MaxPaddedLength"/> falls back to the exact length (still flagged),
/// so padding never pushes an envelope past the relay's frame limit, even inside the widest outer
/// layer (sealed sender's 155 bytes; a conversation envelope adds at most 42).
/// </summary>
public sealed class PaddingScheme : IEquatable<PaddingScheme>
{
    /// <summary>
    /// The largest padded body (64,742 bytes): the relay's 65,000-byte envelope limit less a prekey
    /// header, a tag and room for the widest outer layer a client wraps the E2E envelope in (sealed
    /// sender's 155 bytes: <c>SealedSenderEnvelope.Overhead</c>). Without that room a padded message
    /// sent sealed could come out 155 bytes over the limit, and the relay would close the connection.
    /// </summary>
    public const int MaxPaddedLength = 65_000 - E2eEnvelope.PrekeyHeaderSize - 16 - OuterLayerReserve;

    // Sealed sender's overhead (version, algorithm, ephemeral key, certificate, tag); a test keeps it equal.
    private const int OuterLayerReserve = 2 + 32 + 105 + 16;

    private readonly Kind _kind;
    private readonly int _block;

    private PaddingScheme(Kind kind, int block)
    {
        _kind = kind;
        _block = block;
    }

    private enum Kind
    {
        None,
        Block,
        PowerOfTwo,
        Padme,
    }

    /// <summary>No padding: the relay sees exact sizes.</summary>
    public static PaddingScheme None { get; } = new(Kind.None, 0);

    /// <summary>The next power of two.</summary>
    public static PaddingScheme PowerOfTwo { get; } = new(Kind.PowerOfTwo, 0);

    /// <summary>Padmé: at most ~12 % overhead, few size classes.</summary>
    public static PaddingScheme Padme { get; } = new(Kind.Padme, 0);

    /// <summary>Whether this scheme pads at all (and so sets the envelope's padded flag).</summary>
    public bool Pads => _kind != Kind.None;

    /// <summary>The name as <see cref="Parse"/> takes it: <c>none</c>, <c>block:N</c>, <c>pow2</c>, <c>padme</c>.</summary>
    public string Name => _kind switch
    {
        Kind.None => "none",
        Kind.Block => string.Create(CultureInfo.InvariantCulture, $"block:{_block}"),
        Kind.PowerOfTwo => "pow2",
        _ => "padme",
    };

    /// <summary>Padding to the next multiple of <paramref name="block"/> bytes (1 to 65536).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The block is out of range.</exception>
    public static PaddingScheme Block(int block)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(block, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(block, 65536);
        return new(Kind.Block, block);
    }

    /// <summary>Parses <c>none</c>, <c>block:N</c>, <c>pow2</c> or <c>padme</c> (case-insensitive).</summary>
    /// <exception cref="FormatException">Anything else; the message lists what is accepted.</exception>
    public static PaddingScheme Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim().ToLowerInvariant();
        switch (value)
        {
            case "none":
                return None;
            case "pow2":
                return PowerOfTwo;
            case "padme":
                return Padme;
        }

        if (value.StartsWith("block:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var block)
            && block is >= 1 and <= 65536)
        {
            return Block(block);
        }

        throw new FormatException($"'{text}' is not a padding scheme: use none, block:N (N from 1 to 65536), pow2 or padme.");
    }

    /// <summary>
    /// The padded body length for a plaintext of <paramref name="plaintextLength"/> bytes: at least
    /// <c>plaintextLength + 1</c> (room for the <c>0x80</c>) when padding, exactly
    /// <paramref name="plaintextLength"/> for <see cref="None"/>.
    /// </summary>
    public int PaddedLength(int plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        if (_kind == Kind.None)
        {
            return plaintextLength;
        }

        var content = plaintextLength + 1;
        var padded = _kind switch
        {
            Kind.Block => ((long)(content + _block - 1) / _block) * _block,
            Kind.PowerOfTwo => (long)BitOperations.RoundUpToPowerOf2((uint)content),
            _ => PadmeLength(content),
        };
        return padded > MaxPaddedLength ? content : (int)padded;
    }

    /// <summary>Padmé's length for <paramref name="length"/> bytes (at least 1): the paper's algorithm 1.</summary>
    public static long PadmeLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (length < 2)
        {
            return length;
        }

        var e = BitOperations.Log2((ulong)length);       // floor(log2 L)
        var s = BitOperations.Log2((ulong)e) + 1;        // floor(log2 E) + 1: bits of E
        var lastBits = e - s;                            // low bits to round away
        var mask = (1L << lastBits) - 1;
        return (length + mask) & ~mask;
    }

    /// <inheritdoc />
    public bool Equals(PaddingScheme? other) => other is not null && other._kind == _kind && other._block == _block;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PaddingScheme);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_kind, _block);

    /// <inheritdoc />
    public override string ToString() => Name;
}
