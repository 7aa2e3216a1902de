using System.Buffers;
using System.Collections.Concurrent;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Routing;

/// <summary>
/// The relay's core, without any transport: a bounded mailbox per identity and the rules.
/// A SEND is ACCEPTED once held in the recipient's mailbox (REJECTED with a reason when it is
/// full, never dropped); every live connection of the recipient is told and pulls it; it stays
/// held until the recipient ACKs it, so a recipient that was offline or whose connection
/// dropped before the ACK gets it (again) on its next connection. An ACK is honoured only from
/// the identity the message was addressed to. Thread-safe.
/// </summary>
public sealed class RelayRouter
{
    private readonly ConcurrentDictionary<Identity, Mailbox> _mailboxes = new();
    private readonly MailboxLimits _limits;
    private long _nextRelayId;
    private long _accepted;
    private long _rejected;
    private long _acked;
    private long _held;

    /// <summary>Creates a router with mailbox bounds.</summary>
    public RelayRouter(MailboxLimits limits)
    {
        _limits = limits ?? throw new ArgumentNullException(nameof(limits));
    }

    /// <summary>Messages accepted so far.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Messages rejected so far.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Messages acknowledged (and forgotten) so far.</summary>
    public long Acknowledged => Interlocked.Read(ref _acked);

    /// <summary>Messages held right now across all mailboxes.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Holds <paramref name="envelope"/> from <paramref name="sender"/> for <paramref name="recipient"/> and tells its live connections.</summary>
    public SendOutcome Send(Identity sender, Identity recipient, in ReadOnlySequence<byte> envelope, bool sealedSender = false)
    {
        if (recipient.IsEmpty)
        {
            Interlocked.Increment(ref _rejected);
            return SendOutcome.Refused(RejectReason.RecipientInvalid);
        }

        var mailbox = _mailboxes.GetOrAdd(recipient, static _ => new Mailbox());
        ISubscriber[] toWake;
        ulong relayId;
        lock (mailbox)
        {
            if (mailbox.Messages.Count >= _limits.MaxMessages || mailbox.Bytes + envelope.Length > _limits.MaxBytes)
            {
                Interlocked.Increment(ref _rejected);
                return SendOutcome.Refused(RejectReason.MailboxFull);
            }

            relayId = (ulong)Interlocked.Increment(ref _nextRelayId);
            mailbox.Messages.Add(HeldMessage.Hold(relayId, sender, sealedSender, envelope));
            mailbox.Bytes += envelope.Length;
            toWake = mailbox.Subscribers;
        }

        Interlocked.Increment(ref _accepted);
        Interlocked.Increment(ref _held);
        foreach (var subscriber in toWake)
        {
            subscriber.MessagesAvailable();
        }

        return SendOutcome.Held(relayId);
    }

    /// <summary>Registers a live connection of <paramref name="identity"/>; it is woken at once when messages are already waiting.</summary>
    public void Attach(Identity identity, ISubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        var mailbox = _mailboxes.GetOrAdd(identity, static _ => new Mailbox());
        bool waiting;
        lock (mailbox)
        {
            mailbox.Subscribers = [.. mailbox.Subscribers, subscriber];
            waiting = mailbox.Messages.Count > 0;
        }

        if (waiting)
        {
            subscriber.MessagesAvailable();
        }
    }

    /// <summary>Forgets a connection; its unacknowledged messages stay held for the next one.</summary>
    public void Detach(Identity identity, ISubscriber subscriber)
    {
        if (_mailboxes.TryGetValue(identity, out var mailbox))
        {
            lock (mailbox)
            {
                mailbox.Subscribers = Array.FindAll(mailbox.Subscribers, s => !ReferenceEquals(s, subscriber));
            }
        }
    }

    /// <summary>
    /// Copies into <paramref name="into"/> the held messages of <paramref name="identity"/> with ids
    /// above <paramref name="afterRelayId"/>, oldest first, each with a reference the caller must
    /// <see cref="HeldMessage.Release"/>; returns how many.
    /// </summary>
    public int TakePending(Identity identity, ulong afterRelayId, Span<HeldMessage?> into)
    {
        if (!_mailboxes.TryGetValue(identity, out var mailbox))
        {
            return 0;
        }

        lock (mailbox)
        {
            var start = FirstAfter(mailbox.Messages, afterRelayId);
            var count = Math.Min(into.Length, mailbox.Messages.Count - start);
            for (var i = 0; i < count; i++)
            {
                var message = mailbox.Messages[start + i];
                message.AddReference();
                into[i] = message;
            }

            return count;
        }
    }

    /// <summary>Forgets message <paramref name="relayMessageId"/> if it is held for <paramref name="identity"/>; an ACK for anything else is ignored.</summary>
    public bool Ack(Identity identity, ulong relayMessageId)
    {
        if (!_mailboxes.TryGetValue(identity, out var mailbox))
        {
            return false;
        }

        HeldMessage message;
        lock (mailbox)
        {
            var index = FirstAfter(mailbox.Messages, relayMessageId - 1);
            if (index >= mailbox.Messages.Count || mailbox.Messages[index].RelayMessageId != relayMessageId)
            {
                return false;
            }

            message = mailbox.Messages[index];
            mailbox.Messages.RemoveAt(index);
            mailbox.Bytes -= message.Length;
        }

        Interlocked.Increment(ref _acked);
        Interlocked.Decrement(ref _held);
        message.Release();
        return true;
    }

    /// <summary>Messages held for <paramref name="identity"/>.</summary>
    public int Depth(Identity identity)
    {
        if (!_mailboxes.TryGetValue(identity, out var mailbox))
        {
            return 0;
        }

        lock (mailbox)
        {
            return mailbox.Messages.Count;
        }
    }

    // Messages are appended in id order, so the list stays sorted: binary search.
    private static int FirstAfter(List<HeldMessage> messages, ulong relayId)
    {
        int low = 0, high = messages.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (messages[mid].RelayMessageId <= relayId)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private sealed class Mailbox
    {
        public List<HeldMessage> Messages { get; } = [];

        // Copy-on-write: connections come and go rarely, messages constantly, so SEND reads it without copying.
        public ISubscriber[] Subscribers { get; set; } = [];

        public long Bytes { get; set; }
    }
}

/// <summary>A live connection that wants to hear when messages for its identity arrive; the call must not block.</summary>
public interface ISubscriber
{
    /// <summary>New messages are held; pull them with <see cref="RelayRouter.TakePending"/>.</summary>
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
