using Relay.Crypto.E2e;

namespace Perf.Load.Metadata;

/// <summary>One of the four ways the metadata workload sends: plain or sealed sender, unpadded or padded with Padmé.</summary>
/// <param name="Name">As results name it: <c>plain</c>, <c>padded</c>, <c>sealed</c>, <c>sealed+padded</c>.</param>
/// <param name="SealedSender">SEALED_SEND over anonymous connections.</param>
/// <param name="Padding">The plaintext padding.</param>
public sealed record MetadataMode(string Name, bool SealedSender, PaddingScheme Padding)
{
    /// <summary>The four modes, in report order.</summary>
    public static IReadOnlyList<MetadataMode> All { get; } =
    [
        new("plain", false, PaddingScheme.None),
        new("padded", false, PaddingScheme.Padme),
        new("sealed", true, PaddingScheme.None),
        new("sealed+padded", true, PaddingScheme.Padme),
    ];
}
