using Relay.Crypto.E2e;

namespace Perf.Load.Metadata;

/// <summary>One of the ways the metadata workload sends: plain, sealed sender or conversation mailboxes, unpadded or padded with Padmé.</summary>
/// <param name="Name">As results name it: <c>plain</c>, <c>padded</c>, <c>sealed</c>, <c>sealed+padded</c>, <c>conversations</c>, <c>conversations+padded</c>.</param>
/// <param name="SealedSender">SEALED_SEND over anonymous connections.</param>
/// <param name="Padding">The plaintext padding.</param>
/// <param name="Conversations">MAILBOX_SEND to the peer's conversation mailbox, each side receiving on its own over anonymous connections.</param>
public sealed record MetadataMode(string Name, bool SealedSender, PaddingScheme Padding, bool Conversations = false)
{
    /// <summary>The modes, in report order.</summary>
    public static IReadOnlyList<MetadataMode> All { get; } =
    [
        new("plain", false, PaddingScheme.None),
        new("padded", false, PaddingScheme.Padme),
        new("sealed", true, PaddingScheme.None),
        new("sealed+padded", true, PaddingScheme.Padme),
        new("conversations", false, PaddingScheme.None, Conversations: true),
        new("conversations+padded", false, PaddingScheme.Padme, Conversations: true),
    ];
}
