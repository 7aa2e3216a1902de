namespace Relay.Protocol.Routing;

/// <summary>Bounds of one identity's mailbox; a SEND past a count or byte bound is REJECTED with <c>MailboxFull</c>.</summary>
public sealed record MailboxLimits
{
    /// <summary>Most messages held for one identity.</summary>
    public int MaxMessages { get; init; } = 10_000;

    /// <summary>Most envelope bytes held for one identity (the in-memory store; JetStream has no per-subject byte limit).</summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How long a message is held without an ACK before it is dropped (expired).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);
}
