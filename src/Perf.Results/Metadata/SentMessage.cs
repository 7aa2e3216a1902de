namespace Perf.Results.Metadata;

/// <summary>What the workload knows and the relay must not: who really sent a message. The audit analysis joins it to the relay's log by relay id, to score the attacks.</summary>
/// <param name="RelayMessageId">The relay's id from ACCEPTED.</param>
/// <param name="Sender">The true sender (user index).</param>
/// <param name="Recipient">The recipient (user index).</param>
/// <param name="PlaintextBytes">The plaintext size before padding.</param>
/// <param name="Reply">Whether it answered a message the sender had received (a delivery receipt or a reply), rather than starting a conversation.</param>
public readonly record struct SentMessage(ulong RelayMessageId, int Sender, int Recipient, int PlaintextBytes, bool Reply);
