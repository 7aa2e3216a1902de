using Relay.Protocol.Frames;

namespace Relay.Server.Audit;

/// <summary>
/// What the relay knows about one event it logs: an accepted SEND, SEALED_SEND or MAILBOX_SEND,
/// a connection opened or closed, or a conversation mailbox opened. Exactly what an
/// honest-but-curious operator could log; no key material, no token, no credential, no envelope bytes.
/// </summary>
/// <param name="UnixMilliseconds">When it happened (a message: when it was accepted).</param>
/// <param name="RelayMessageId">A message's relay id.</param>
/// <param name="ConnectionId">The relay's number for the connection.</param>
/// <param name="ConnectionIdentity">The connection's authenticated identity; empty for an anonymous connection.</param>
/// <param name="Sender">The sender the relay stamps; empty when it does not know (sealed sender, conversations).</param>
/// <param name="Recipient">A message's recipient: an identity, or a conversation mailbox's address; an opened mailbox's address.</param>
/// <param name="Bytes">A message's envelope length.</param>
/// <param name="Sealed">Whether a message came as SEALED_SEND or MAILBOX_SEND (no sender).</param>
public readonly record struct AuditRecord(long UnixMilliseconds, ulong RelayMessageId, long ConnectionId, Identity ConnectionIdentity, Identity Sender, Identity Recipient, int Bytes, bool Sealed)
{
    /// <summary>What the record is about.</summary>
    public AuditKind Kind { get; init; }

    /// <summary>Whether a message went to a conversation mailbox (MAILBOX_SEND) rather than to an identity.</summary>
    public bool Conversation { get; init; }

    /// <summary>A connection finished its handshake: anonymous when <paramref name="identity"/> is empty.</summary>
    public static AuditRecord Connected(long unixMilliseconds, long connectionId, Identity identity) =>
        new(unixMilliseconds, 0, connectionId, identity, default, default, 0, false) { Kind = AuditKind.Connected };

    /// <summary>A connection ended.</summary>
    public static AuditRecord Disconnected(long unixMilliseconds, long connectionId) =>
        new(unixMilliseconds, 0, connectionId, default, default, default, 0, false) { Kind = AuditKind.Disconnected };

    /// <summary>A connection opened the conversation mailbox at <paramref name="address"/> (it receives there from now on).</summary>
    public static AuditRecord MailboxOpened(long unixMilliseconds, long connectionId, Identity address) =>
        new(unixMilliseconds, 0, connectionId, default, default, address, 0, false) { Kind = AuditKind.MailboxOpened };
}

/// <summary>The kinds of audit-log line.</summary>
public enum AuditKind : byte
{
    /// <summary>An accepted message: <c>{"t","id","conn","conn_identity","sender","recipient","bytes","sealed","conversation"}</c>.</summary>
    Message = 0,

    /// <summary><c>{"t","event":"connect","conn","conn_identity"}</c>.</summary>
    Connected,

    /// <summary><c>{"t","event":"disconnect","conn"}</c>.</summary>
    Disconnected,

    /// <summary><c>{"t","event":"open_mailbox","conn","mailbox"}</c>.</summary>
    MailboxOpened,
}
