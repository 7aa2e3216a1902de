using Relay.Protocol.Frames;

namespace Relay.Server.Audit;

/// <summary>
/// What the relay knows about one accepted SEND or SEALED_SEND: exactly what an honest-but-curious
/// operator could log. No key material, no token, no envelope bytes.
/// </summary>
/// <param name="UnixMilliseconds">When it was accepted.</param>
/// <param name="RelayMessageId">The relay's id for the message.</param>
/// <param name="ConnectionId">The relay's number for the connection it came on.</param>
/// <param name="ConnectionIdentity">The connection's authenticated identity; empty for an anonymous connection.</param>
/// <param name="Sender">The sender the relay stamps; empty when it does not know (sealed sender).</param>
/// <param name="Recipient">The recipient.</param>
/// <param name="Bytes">The envelope's length.</param>
/// <param name="Sealed">Whether it came as SEALED_SEND.</param>
public readonly record struct AuditRecord(long UnixMilliseconds, ulong RelayMessageId, long ConnectionId, Identity ConnectionIdentity, Identity Sender, Identity Recipient, int Bytes, bool Sealed);
