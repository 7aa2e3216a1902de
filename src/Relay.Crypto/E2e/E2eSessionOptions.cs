using Relay.Crypto.Aead;

namespace Relay.Crypto.E2e;

/// <summary>Parameters of an E2E session.</summary>
public sealed record E2eSessionOptions
{
    /// <summary>The AEAD algorithm (written into every envelope header).</summary>
    public AeadAlgorithm Algorithm { get; init; } = AeadAlgorithm.Aes256Gcm;

    /// <summary>The AEAD backend; sodium rekeys without allocating, so per-message keys cost nothing extra.</summary>
    public AeadBackend Backend { get; init; } = AeadBackend.Sodium;

    /// <summary>How many skipped (out-of-order) message keys a receiving chain keeps, and so how far ahead a counter may jump.</summary>
    public int MaxSkippedKeys { get; init; } = 1000;

    /// <summary>
    /// Pad every plaintext to a multiple of this many bytes (ISO/IEC 7816-4: 0x80 then zeros) so
    /// the relay sees only the bucket, not the exact length; 0 (the default) sends exact sizes,
    /// which is what the benchmarks and load runs measure.
    /// </summary>
    public int PaddingBlock { get; init; }

    /// <summary>
    /// The padding scheme (<see cref="PaddingScheme"/>: none, block:N, pow2, padme). When left
    /// <c>null</c>, <see cref="PaddingBlock"/> decides (block:N, or none for 0).
    /// </summary>
    public PaddingScheme? Padding { get; init; }

    /// <summary>The scheme sealing uses: <see cref="Padding"/>, else block:<see cref="PaddingBlock"/>, else none.</summary>
    public PaddingScheme EffectivePadding => Padding ?? (PaddingBlock > 0 ? PaddingScheme.Block(PaddingBlock) : PaddingScheme.None);

    /// <summary>Checks ranges.</summary>
    /// <exception cref="ArgumentException">A value out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Algorithm);
        ArgumentNullException.ThrowIfNull(Backend);
        if (MaxSkippedKeys is < 0 or > 100_000)
        {
            throw new ArgumentException($"MaxSkippedKeys must be 0 to 100000; got {MaxSkippedKeys}.", nameof(MaxSkippedKeys));
        }

        if (PaddingBlock is < 0 or > 65536)
        {
            throw new ArgumentException($"PaddingBlock must be 0 to 65536; got {PaddingBlock}.", nameof(PaddingBlock));
        }
    }
}
