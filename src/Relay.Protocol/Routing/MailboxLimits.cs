namespace Relay.Protocol.Routing;

/// <summary>Bounds of one identity's mailbox; a SEND past either is REJECTED with <c>MailboxFull</c>.</summary>
public sealed record MailboxLimits
{
    /// <summary>Most messages held for one identity.</summary>
    public int MaxMessages { get; init; } = 10_000;

    /// <summary>Most envelope bytes held for one identity.</summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;
}
