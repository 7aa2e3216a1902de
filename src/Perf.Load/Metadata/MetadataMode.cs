using Relay.Crypto.E2e;

namespace Perf.Load.Metadata;

/// <summary>One of the ways the metadata workload sends: plain, sealed sender or conversation mailboxes, unpadded or padded with Padmé.</summary>
/// <param name="Name">As results name it: <c>plain</c>, <c>padded</c>, <c>sealed</c>, <c>sealed+padded</c>, <c>conversations</c>, <c>conversations+padded</c>.</param>
/// <param name="SealedSender">SEALED_SEND over anonymous connections.</param>
/// <param name="Padding">The plaintext padding.</param>
/// <param name="Conversations">MAILBOX_SEND to the peer's conversation mailbox, each side receiving on its own over anonymous connections.</param>
/// <param name="DelayedReceipts">Delivery receipts go out after a random delay up to <see cref="MetadataWorkloadOptions.ReceiptDelay"/> (a timing defence), not at once.</param>
/// <param name="FreshConnections">Sealed sends move to a fresh anonymous connection every <see cref="MetadataWorkloadOptions.FreshConnectionEvery"/> messages (a timing defence).</param>
/// <param name="CoverTraffic">Users also send cover messages at <see cref="MetadataWorkloadOptions.CoverRate"/> in total (a timing defence).</param>
public sealed record MetadataMode(string Name, bool SealedSender, PaddingScheme Padding, bool Conversations = false, bool DelayedReceipts = false, bool FreshConnections = false, bool CoverTraffic = false)
{
    /// <summary>The modes a run with <paramref name="options"/> measures: <see cref="All"/>, then the timing defences it asks for (receipt delay, fresh connections, cover traffic).</summary>
    public static IReadOnlyList<MetadataMode> For(MetadataWorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var modes = new List<MetadataMode>(All);
        if (options.ReceiptDelay > TimeSpan.Zero)
        {
            modes.Add(new("sealed+receipt-delay", true, PaddingScheme.None, DelayedReceipts: true));
            modes.Add(new("conversations+receipt-delay", false, PaddingScheme.None, Conversations: true, DelayedReceipts: true));
        }

        if (options.FreshConnectionEvery > 0)
        {
            modes.Add(new("sealed+fresh-connections", true, PaddingScheme.None, FreshConnections: true));
        }

        if (options.CoverRate > 0)
        {
            modes.Add(new("sealed+cover", true, PaddingScheme.None, CoverTraffic: true));
        }

        return modes;
    }

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
