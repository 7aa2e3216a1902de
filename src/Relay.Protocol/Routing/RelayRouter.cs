using System.Buffers;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Routing;

/// <summary>
/// The relay's core, without any transport: the rules, over a mailbox store. A SEND is ACCEPTED
/// once the store holds it for the recipient (REJECTED with a reason when it cannot, never
/// dropped); every live connection of the recipient is told and pulls it; it stays held until the
/// recipient ACKs it, so a recipient that was offline or whose connection dropped before the ACK
/// gets it (again) on its next connection. An ACK is honoured only from the identity the message
/// was addressed to. The sender is always the authenticated identity the caller passes, never a
/// field of the frame. Every accepted SEND passes through <see cref="SendAsync"/>: the one place
/// where a sealed-sender SEND (<c>sealedSender</c>) enters and where an audit writer would observe
/// accepted messages. Thread-safe.
/// </summary>
public sealed class RelayRouter
{
    private readonly IMailboxStore _store;
    private long _accepted;
    private long _rejected;
    private long _acked;

    /// <summary>Creates a router over the in-memory store with these mailbox bounds.</summary>
    public RelayRouter(MailboxLimits limits)
        : this(new MemoryMailboxStore(limits))
    {
    }

    /// <summary>Creates a router over <paramref name="store"/>.</summary>
    public RelayRouter(IMailboxStore store)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
    }

    /// <summary>The store held messages live in.</summary>
    public IMailboxStore Store => _store;

    /// <summary>Messages accepted so far.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Messages rejected so far.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Messages acknowledged (and forgotten) so far.</summary>
    public long Acknowledged => Interlocked.Read(ref _acked);

    /// <summary>Messages held right now on this node.</summary>
    public long Held => _store.Held;

    /// <summary>Mailboxes kept right now on this node.</summary>
    public int Mailboxes => _store.Mailboxes;

    /// <summary>
    /// Holds <paramref name="envelope"/> from <paramref name="sender"/> for <paramref name="recipient"/>
    /// and tells its live connections. The envelope is copied before this returns; with the in-memory
    /// store the result is already complete (no allocation).
    /// </summary>
    public ValueTask<SendOutcome> SendAsync(Identity sender, Identity recipient, in ReadOnlySequence<byte> envelope, bool sealedSender = false)
    {
        if (recipient.IsEmpty)
        {
            Interlocked.Increment(ref _rejected);
            return new ValueTask<SendOutcome>(SendOutcome.Refused(RejectReason.RecipientInvalid));
        }

        var pending = _store.HoldAsync(sender, recipient, envelope, sealedSender);
        if (pending.IsCompletedSuccessfully)
        {
            return new ValueTask<SendOutcome>(Count(pending.Result));
        }

        return CountLaterAsync(pending);
    }

    /// <summary>
    /// <see cref="SendAsync"/> for stores that answer at once (the in-memory store): tests and benchmarks.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store did not answer synchronously.</exception>
    public SendOutcome Send(Identity sender, Identity recipient, in ReadOnlySequence<byte> envelope, bool sealedSender = false)
    {
        var pending = SendAsync(sender, recipient, envelope, sealedSender);
        return pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("this store answers asynchronously: use SendAsync");
    }

    /// <summary>Registers a live connection of <paramref name="identity"/>; it is woken at once when messages are already waiting.</summary>
    public void Attach(Identity identity, ISubscriber subscriber) => _store.Attach(identity, subscriber);

    /// <summary>Forgets a connection; its unacknowledged messages stay held for the next one.</summary>
    public void Detach(Identity identity, ISubscriber subscriber) => _store.Detach(identity, subscriber);

    /// <summary>
    /// Copies into <paramref name="into"/> the held messages of <paramref name="identity"/> with ids
    /// above <paramref name="afterRelayId"/>, oldest first, each with a reference the caller must
    /// <see cref="HeldMessage.Release"/>; returns how many.
    /// </summary>
    public int TakePending(Identity identity, ulong afterRelayId, Span<HeldMessage?> into) =>
        _store.TakePending(identity, afterRelayId, int.MaxValue, into, out _);

    /// <summary>
    /// As <see cref="TakePending(Identity, ulong, Span{HeldMessage})"/>, but leaving at most
    /// <paramref name="maxInFlight"/> messages up to the last one taken unacknowledged (a connection's
    /// cap on DELIVERs in flight: a cursor-based connection has delivered everything held up to its
    /// cursor); <paramref name="capped"/> tells whether the cap stopped it.
    /// </summary>
    public int TakePending(Identity identity, ulong afterRelayId, int maxInFlight, Span<HeldMessage?> into, out bool capped) =>
        _store.TakePending(identity, afterRelayId, maxInFlight, into, out capped);

    /// <summary>Forgets message <paramref name="relayMessageId"/> if it is held for <paramref name="identity"/>; an ACK for anything else is ignored.</summary>
    public bool Ack(Identity identity, ulong relayMessageId)
    {
        if (!_store.Ack(identity, relayMessageId))
        {
            return false;
        }

        Interlocked.Increment(ref _acked);
        return true;
    }

    /// <summary>Messages held for <paramref name="identity"/> on this node.</summary>
    public int Depth(Identity identity) => _store.Depth(identity);

    /// <summary>Expires messages past their age and forgets unused empty mailboxes; returns how many messages expired.</summary>
    public int Sweep() => _store.Sweep();

    private async ValueTask<SendOutcome> CountLaterAsync(ValueTask<SendOutcome> pending) => Count(await pending.ConfigureAwait(false));

    private SendOutcome Count(SendOutcome outcome)
    {
        Interlocked.Increment(ref outcome.IsAccepted ? ref _accepted : ref _rejected);
        return outcome;
    }
}
