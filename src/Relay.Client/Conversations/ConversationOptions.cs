namespace Relay.Client.Conversations;

/// <summary>
/// The rotation policy of a conversation's mailboxes (docs/protocol.md, "Conversation mailboxes"):
/// each mailbox takes messages for <see cref="MailboxLifetime"/> (its expiry is part of its
/// address); its owner opens a fresh one, on a fresh anonymous connection, after
/// <see cref="RotateAfterMessages"/> messages arrived on it or <see cref="RotateAfter"/> passed,
/// whichever comes first, tells the peer the new ticket at once, and keeps the old one open for
/// <see cref="RotationGrace"/> for what the peer sent before it learned the new one.
/// </summary>
public sealed record ConversationOptions
{
    /// <summary>The defaults: 24 h mailboxes rotated after 12 h or 1,000 messages, two minutes of grace.</summary>
    public static ConversationOptions Default { get; } = new();

    /// <summary>How long a mailbox takes messages (the relay refuses to open one further ahead than its <c>RelayOptions.MaxMailboxLifetime</c>, 7 days by default).</summary>
    public TimeSpan MailboxLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Rotate once this much time has passed since the current mailbox was opened (well before it expires).</summary>
    public TimeSpan RotateAfter { get; init; } = TimeSpan.FromHours(12);

    /// <summary>Rotate once this many messages arrived on the current mailbox: a mailbox is a pseudonym, and the fewer messages one carries, the less a statistical attack can gather on it.</summary>
    public int RotateAfterMessages { get; init; } = 1000;

    /// <summary>How long a rotated-out mailbox stays open for messages the peer sent before it learned the new ticket.</summary>
    public TimeSpan RotationGrace { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Checks ranges.</summary>
    /// <exception cref="ArgumentException">A value out of range.</exception>
    public void Validate()
    {
        if (MailboxLifetime <= TimeSpan.Zero || RotateAfter <= TimeSpan.Zero || RotateAfter >= MailboxLifetime)
        {
            throw new ArgumentException("a conversation mailbox needs a positive lifetime and a rotation time below it");
        }

        if (RotateAfterMessages < 1 || RotationGrace < TimeSpan.Zero)
        {
            throw new ArgumentException("rotate after at least one message, with a grace of zero or more");
        }
    }
}
