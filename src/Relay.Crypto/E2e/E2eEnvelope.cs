using System.Buffers.Binary;
using Relay.Crypto.Aead;

namespace Relay.Crypto.E2e;

//  Envelope, version 1 (all integers big-endian); the whole header is the AEAD's associated data.
//  offset size field
//  0      1    version = 1
//  1      1    algorithm: 1 chacha20-poly1305, 2 aes-256-gcm, 3 xchacha20-poly1305
//  2      1    flags: bit 0 prekey (initiator keys follow), bit 1 padded; other bits 0
//  3      16   session id
//  19     4    counter (message number in the sender's chain, from 0)
//  23     32   initiator identity public key   } only when the prekey flag is set
//  55     32   initiator ephemeral public key  }
//  23|87  n+16 ciphertext || tag

/// <summary>The E2E envelope's byte layout: constants and a header reader (see docs/protocol.md).</summary>
public static class E2eEnvelope
{
    /// <summary>The version this code writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>Header bytes without the prekey fields.</summary>
    public const int BaseHeaderSize = 23;

    /// <summary>Header bytes with the prekey fields.</summary>
    public const int PrekeyHeaderSize = BaseHeaderSize + 64;

    /// <summary>Session id length.</summary>
    public const int SessionIdSize = 16;

    /// <summary>Flag: the initiator's identity and ephemeral public keys follow the counter.</summary>
    public const byte PrekeyFlag = 0x01;

    /// <summary>Flag: the plaintext carries ISO/IEC 7816-4 padding (0x80 then zeros) to the length a <see cref="PaddingScheme"/> chose.</summary>
    public const byte PaddedFlag = 0x02;

    private const byte KnownFlags = PrekeyFlag | PaddedFlag;

    /// <summary>The algorithm byte of <paramref name="algorithm"/>.</summary>
    public static byte AlgorithmCode(AeadAlgorithm algorithm) => algorithm.Id switch
    {
        AeadAlgorithmId.ChaCha20Poly1305 => 1,
        AeadAlgorithmId.Aes256Gcm => 2,
        AeadAlgorithmId.XChaCha20Poly1305 => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>The algorithm an algorithm byte names, or <c>null</c>.</summary>
    public static AeadAlgorithm? AlgorithmFromCode(byte code) => code switch
    {
        1 => AeadAlgorithm.ChaCha20Poly1305,
        2 => AeadAlgorithm.Aes256Gcm,
        3 => AeadAlgorithm.XChaCha20Poly1305,
        _ => null,
    };

    /// <summary>Reads and checks the header; the spans in <paramref name="header"/> point into <paramref name="envelope"/>.</summary>
    public static E2eError TryReadHeader(ReadOnlySpan<byte> envelope, out E2eHeader header)
    {
        header = default;
        if (envelope.Length < BaseHeaderSize + AeadAlgorithm.TagSizeBytes)
        {
            return E2eError.Truncated;
        }

        if (envelope[0] != Version)
        {
            return E2eError.UnsupportedVersion;
        }

        var algorithm = AlgorithmFromCode(envelope[1]);
        if (algorithm is null)
        {
            return E2eError.UnknownAlgorithm;
        }

        var flags = envelope[2];
        if ((flags & ~KnownFlags) != 0)
        {
            return E2eError.MalformedHeader;
        }

        var size = (flags & PrekeyFlag) != 0 ? PrekeyHeaderSize : BaseHeaderSize;
        if (envelope.Length < size + AeadAlgorithm.TagSizeBytes)
        {
            return E2eError.Truncated;
        }

        header = new E2eHeader(envelope[..size], algorithm, flags, BinaryPrimitives.ReadUInt32BigEndian(envelope[19..]));
        return E2eError.None;
    }
}

/// <summary>A parsed envelope header; <see cref="Bytes"/> is the associated data.</summary>
/// <param name="Bytes">The header bytes.</param>
/// <param name="Algorithm">The AEAD algorithm.</param>
/// <param name="Flags">The flag byte.</param>
/// <param name="Counter">The message's number in the sender's chain.</param>
public readonly ref struct E2eHeader(ReadOnlySpan<byte> Bytes, AeadAlgorithm Algorithm, byte Flags, uint Counter)
{
    /// <summary>The header bytes (the associated data).</summary>
    public ReadOnlySpan<byte> Bytes { get; } = Bytes;

    /// <summary>The AEAD algorithm.</summary>
    public AeadAlgorithm Algorithm { get; } = Algorithm;

    /// <summary>The flag byte.</summary>
    public byte Flags { get; } = Flags;

    /// <summary>The message's number in the sender's chain.</summary>
    public uint Counter { get; } = Counter;

    /// <summary>The session id.</summary>
    public ReadOnlySpan<byte> SessionId => Bytes.Slice(3, E2eEnvelope.SessionIdSize);

    /// <summary>Whether the initiator's public keys are present.</summary>
    public bool IsPrekey => (Flags & E2eEnvelope.PrekeyFlag) != 0;

    /// <summary>Whether the plaintext is padded.</summary>
    public bool IsPadded => (Flags & E2eEnvelope.PaddedFlag) != 0;

    /// <summary>The initiator's identity public key (prekey messages only).</summary>
    public ReadOnlySpan<byte> InitiatorIdentity => IsPrekey ? Bytes.Slice(E2eEnvelope.BaseHeaderSize, 32) : default;

    /// <summary>The initiator's ephemeral public key (prekey messages only).</summary>
    public ReadOnlySpan<byte> InitiatorEphemeral => IsPrekey ? Bytes.Slice(E2eEnvelope.BaseHeaderSize + 32, 32) : default;
}
