namespace Relay.Protocol.Frames;

/// <summary>The first byte of every relay frame.</summary>
public enum FrameType : byte
{
    /// <summary>Client to relay: a message for an identity.</summary>
    Send = 0x01,

    /// <summary>Relay to client: a message addressed to it.</summary>
    Deliver = 0x02,

    /// <summary>Client to relay: the client has a delivered message; the relay may forget it.</summary>
    Ack = 0x03,

    /// <summary>Relay to client: a SEND is held and will be delivered.</summary>
    Accepted = 0x04,

    /// <summary>Relay to client: a SEND was refused, with a reason.</summary>
    Rejected = 0x05,

    /// <summary>Either way: a liveness probe.</summary>
    Ping = 0x06,

    /// <summary>Either way: the answer to a ping.</summary>
    Pong = 0x07,

    /// <summary>Relay to client: the connection is about to close, and why.</summary>
    Error = 0x08,

    /// <summary>Client to relay (authenticated connections only): asks for a sender certificate.</summary>
    CertificateRequest = 0x09,

    /// <summary>Relay to client: a sender certificate and the relay's signing key.</summary>
    Certificate = 0x0A,

    /// <summary>Client to relay (usually on an anonymous connection): a sealed-sender message naming only its recipient, with the recipient's delivery token.</summary>
    SealedSend = 0x0B,

    /// <summary>Client to relay (authenticated connections only): the verifier of this identity's delivery token.</summary>
    SetDeliveryVerifier = 0x0C,

    /// <summary>Client to relay (anonymous connections only): receive on a conversation mailbox, proving it with the mailbox's fetch credential.</summary>
    OpenMailbox = 0x0D,

    /// <summary>Client to relay (anonymous connections only): a conversation envelope for a mailbox named by its fetch verifier and expiry, with its send token.</summary>
    MailboxSend = 0x0E,
}

/// <summary>Why the relay refused a SEND.</summary>
public enum RejectReason : byte
{
    /// <summary>The recipient's mailbox is at its message or byte limit.</summary>
    MailboxFull = 1,

    /// <summary>The recipient is not a valid identity (the all-zero key, say).</summary>
    RecipientInvalid = 2,

    /// <summary>The envelope is over the relay's size limit.</summary>
    EnvelopeTooLarge = 3,

    /// <summary>The sender is over its rate limit.</summary>
    RateLimited = 4,

    /// <summary>The relay is shutting down.</summary>
    ShuttingDown = 5,

    /// <summary>A SEALED_SEND whose delivery token does not match the verifier the recipient registered (or the recipient registered none).</summary>
    DeliveryTokenInvalid = 6,

    /// <summary>A frame that needs an authenticated identity (SEND, CERTIFICATE_REQUEST, SET_DELIVERY_VERIFIER) on an anonymous connection.</summary>
    AuthenticationRequired = 7,

    /// <summary>The relay's durable store (JetStream) did not confirm the write in time: send again later (a copy may still arrive).</summary>
    StoreUnavailable = 8,

    /// <summary>A SEALED_SEND or MAILBOX_SEND envelope shorter than the smallest valid one of its kind (194 and 69 bytes): nothing a recipient could open.</summary>
    EnvelopeTooShort = 9,

    /// <summary>A MAILBOX_SEND to a mailbox whose expiry has passed; an OPEN_MAILBOX of one that can hold nothing any more, or that expires further ahead than the relay allows.</summary>
    MailboxExpired = 10,

    /// <summary>OPEN_MAILBOX or MAILBOX_SEND on an authenticated connection (it would tie the mailbox to the identity), or a second, different mailbox on one connection.</summary>
    AnonymousRequired = 11,
}

/// <summary>The code of an ERROR frame (and of a parse failure).</summary>
public enum FrameError : byte
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>Shorter than its type requires.</summary>
    Truncated = 1,

    /// <summary>A type byte no version of the protocol defines.</summary>
    UnknownType = 2,

    /// <summary>Bytes after the frame's last field.</summary>
    TrailingBytes = 3,

    /// <summary>An envelope over the size limit.</summary>
    EnvelopeTooLarge = 4,

    /// <summary>Flag bits that must be zero are set.</summary>
    BadFlags = 5,

    /// <summary>A frame the client may not send (DELIVER, ACCEPTED, ...).</summary>
    UnexpectedType = 6,

    /// <summary>An ERROR frame's reason over its limit.</summary>
    ReasonTooLong = 7,

    /// <summary>The transport broke the rules (not a binary message, a failed handshake, ...).</summary>
    ProtocolViolation = 8,

    /// <summary>The relay is shutting down.</summary>
    ShuttingDown = 9,

    /// <summary>The connection sent nothing (not even PING) for the relay's idle timeout.</summary>
    IdleTimeout = 10,

    /// <summary>The client's source address is at one of the relay's per-source limits (anonymous connections).</summary>
    SourceLimit = 11,
}
