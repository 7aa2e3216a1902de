using System.Buffers;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Routing;

/// <summary>
/// Where held messages live, and how they reach the live connections of their recipient on this
/// node: in this process (<see cref="MemoryMailboxStore"/>, the default) or in a durable store
/// shared by several relay nodes (JetStream). The relay core (<see cref="RelayRouter"/>) applies
/// the rules and calls the store; nothing else does. Thread-safe.
/// </summary>
public interface IMailboxStore : IAsyncDisposable
{
    /// <summary>
    /// Holds <paramref name="envelope"/> for <paramref name="recipient"/> and completes once it is
    /// held (ACCEPTED with its relay id) or refused (with a reason). The envelope is copied before
    /// this returns; the in-memory store completes synchronously.
    /// </summary>
    ValueTask<SendOutcome> HoldAsync(Identity sender, Identity recipient, in ReadOnlySequence<byte> envelope, bool sealedSender);

    /// <summary>Registers a live connection of <paramref name="identity"/>; it is woken when messages for it are held.</summary>
    void Attach(Identity identity, ISubscriber subscriber);

    /// <summary>Forgets a live connection; what it did not ACK stays held.</summary>
    void Detach(Identity identity, ISubscriber subscriber);

    /// <summary>
    /// Copies into <paramref name="into"/> the held messages of <paramref name="identity"/> with ids
    /// above <paramref name="afterRelayId"/>, oldest first, while at most <paramref name="maxInFlight"/>
    /// messages up to the last one taken are unacknowledged; each carries a reference the caller must
    /// <see cref="HeldMessage.Release"/>. Returns how many; <paramref name="capped"/> tells whether the
    /// in-flight cap (not the lack of messages or room) stopped it.
    /// </summary>
    int TakePending(Identity identity, ulong afterRelayId, int maxInFlight, Span<HeldMessage?> into, out bool capped);

    /// <summary>Forgets message <paramref name="relayMessageId"/> if it is held for <paramref name="identity"/>; <c>false</c> otherwise.</summary>
    bool Ack(Identity identity, ulong relayMessageId);

    /// <summary>Messages held for <paramref name="identity"/> on this node.</summary>
    int Depth(Identity identity);

    /// <summary>Messages held on this node right now.</summary>
    long Held { get; }

    /// <summary>Mailboxes kept on this node right now (memory use grows with it).</summary>
    int Mailboxes { get; }

    /// <summary>Drops messages past their age limit and forgets empty mailboxes nobody is connected to; returns how many messages expired.</summary>
    int Sweep();
}

/// <summary>A live connection that wants to hear when messages for its identity arrive; the call must not block.</summary>
public interface ISubscriber
{
    /// <summary>New messages are held (or room opened under the in-flight cap); pull them with <see cref="RelayRouter.TakePending(Identity, ulong, Span{HeldMessage})"/>.</summary>
    void MessagesAvailable();
}

/// <summary>What became of a SEND: held with a relay id, or refused with a reason.</summary>
/// <param name="IsAccepted">Whether it is held.</param>
/// <param name="RelayMessageId">The relay's id when held.</param>
/// <param name="Reason">Why it was refused.</param>
public readonly record struct SendOutcome(bool IsAccepted, ulong RelayMessageId, RejectReason Reason)
{
    /// <summary>Held with this id.</summary>
    public static SendOutcome Held(ulong relayMessageId) => new(true, relayMessageId, 0);

    /// <summary>Refused for this reason.</summary>
    public static SendOutcome Refused(RejectReason reason) => new(false, 0, reason);
}
