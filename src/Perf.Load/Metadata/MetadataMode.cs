using Relay.Crypto.E2e;

namespace Perf.Load.Metadata;

/// <summary>One of the ways the metadata workload sends: plain, sealed sender or conversation mailboxes, unpadded or padded with Padmé.</summary>
/// <param name="Name">As results name it: <c>plain</c>, <c>padded</c>, <c>sealed</c>, <c>sealed+padded</c>, <c>conversations</c>, <c>conversations+padded</c>.</param>
/// <param name="SealedSender">SEALED_SEND over anonymous connections.</param>
/// <param name="Padding">The plaintext padding.</param>
/// <param name="Conversations">MAILBOX_SEND to the peer's conversation mailbox, each side receiving on its own over anonymous connections.</param>
/// <param name="DelayedReceipts">Delivery receipts go out after a random delay up to <see cref="MetadataWorkloadOptions.ReceiptDelay"/> (a timing defence), not at once.</param>
public sealed record MetadataMode(string Name, bool SealedSender, PaddingScheme Padding, bool Conversations = false, bool DelayedReceipts = false)
{
    /// <summary>The timing-defence modes, run after <see cref="All"/> when a receipt delay is set.</summary>
    public static IReadOnlyList<MetadataMode> TimingDefences { get; } =
    [
        new("sealed+receipt-delay", true, PaddingScheme.None, DelayedReceipts: true),
        new("conversations+receipt-delay", false, PaddingScheme.None, Conversations: true, DelayedReceipts: true),
    ];

    /// <summary>The modes a run with <paramref name="options"/> measures: <see cref="All"/>, then the timing defences when it delays receipts.</summary>
    public static IReadOnlyList<MetadataMode> For(MetadataWorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ReceiptDelay > TimeSpan.Zero ? [.. All, .. TimingDefences] : All;
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
