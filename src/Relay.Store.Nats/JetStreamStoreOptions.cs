using Relay.Protocol.Routing;

namespace Relay.Store.Nats;

/// <summary>How the relay keeps mailboxes in JetStream (<c>perf relay --store nats://...</c>).</summary>
public sealed record JetStreamStoreOptions
{
    /// <summary>The NATS servers: <c>nats://HOST:PORT</c>, several separated by commas.</summary>
    public required string Url { get; init; }

    /// <summary>The stream every node shares.</summary>
    public string Stream { get; init; } = "RELAY_MAILBOXES";

    /// <summary>Subjects are <c>PREFIX.&lt;recipient identity, hex&gt;</c>.</summary>
    public string SubjectPrefix { get; init; } = "relay.mbox";

    /// <summary>Stream replicas (1 on a single NATS server; 3 on a cluster of three or more).</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Per-recipient count limit (maps to REJECTED <c>MailboxFull</c>) and the age limit; the byte limit is not enforced per recipient (JetStream has none).</summary>
    public MailboxLimits Limits { get; init; } = new();

    /// <summary>The whole stream's byte limit (-1: none); past it SENDs get <c>MailboxFull</c>.</summary>
    public long MaxStreamBytes { get; init; } = -1;

    /// <summary>The largest envelope a SEND may carry (the stream's message size limit follows from it).</summary>
    public int MaxEnvelopeBytes { get; init; } = 65_000;

    /// <summary>How long a SEND waits for JetStream's acknowledgement before it is REJECTED <c>StoreUnavailable</c>.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often acknowledged messages are removed from the stream, in one purge per recipient
    /// (batched: a relay killed meanwhile leaves up to this much ACKed traffic, delivered again later).
    /// </summary>
    public TimeSpan RemovalInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a publish may wait for others to leave with it in one write to NATS (zero, the
    /// default: each leaves at once; at most 10 ms). A batch wakes nats-server, and this node's NATS
    /// reader for the answers, once instead of once per message: at 5,000 msgs/s a 1 ms window
    /// about halves the durable path's CPU per message and adds about a millisecond to every
    /// SEND's ACCEPTED and DELIVER (docs/relay.md, "Durable mailboxes").
    /// </summary>
    public TimeSpan PublishWindow { get; init; }

    /// <summary>How long a republished message waits for a missing earlier one before the node reads the stream for it.</summary>
    public TimeSpan GapWait { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long connecting at start may take before the relay gives up.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>The store could not start (NATS unreachable, JetStream off, a stream that cannot be made); the message says which.</summary>
public sealed class MailboxStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MailboxStoreException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
