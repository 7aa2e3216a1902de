using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Routing;

/// <summary>
/// The embedded store: a bounded mailbox per identity in this process, nothing to install, not
/// durable across a restart. Also the per-node cache of a durable store (<see cref="HoldStored"/>,
/// <see cref="Forget"/>). Holding, pulling and acknowledging a message allocates nothing in steady
/// state (messages and their buffers are pooled). Relay ids grow from the start time in
/// milliseconds shifted left 20 bits, so a restarted relay does not reuse the ids it gave before.
/// Empty mailboxes of identities with no live connection are forgotten when the last connection
/// detaches and by <see cref="Sweep()"/>, so memory follows the identities in use, not all ever seen.
/// </summary>
public sealed class MemoryMailboxStore : IMailboxStore
{
    private readonly ConcurrentDictionary<Identity, Mailbox> _mailboxes = new();
    private readonly MailboxLimits _limits;
    private readonly long _maxAgeTicks;
    private long _nextRelayId;
    private long _held;

    /// <summary>Creates an empty store with these bounds per identity.</summary>
    public MemoryMailboxStore(MailboxLimits limits)
    {
        _limits = limits ?? throw new ArgumentNullException(nameof(limits));
        _maxAgeTicks = (long)Math.Min(long.MaxValue / 2, limits.MaxAge.TotalSeconds * Stopwatch.Frequency);
        _nextRelayId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 20;
    }

    /// <inheritdoc />
    public long Held => Interlocked.Read(ref _held);

    /// <inheritdoc />
    public int Mailboxes => _mailboxes.Count;

    /// <inheritdoc />
    public ValueTask<SendOutcome> HoldAsync(Identity sender, Identity recipient, in ReadOnlySequence<byte> envelope, bool sealedSender)
    {
        var mailbox = Enter(recipient);
        ISubscriber[] toWake;
        ulong relayId;
        try
        {
            if (mailbox.Messages.Count >= _limits.MaxMessages || mailbox.Bytes + envelope.Length > _limits.MaxBytes)
            {
                return new ValueTask<SendOutcome>(SendOutcome.Refused(RejectReason.MailboxFull));
            }

            relayId = (ulong)Interlocked.Increment(ref _nextRelayId);
            mailbox.Append(HeldMessage.Hold(relayId, sender, sealedSender, envelope));
            toWake = mailbox.Subscribers;
        }
        finally
        {
            Monitor.Exit(mailbox);
        }

        Interlocked.Increment(ref _held);
        Wake(toWake);
        return new ValueTask<SendOutcome>(SendOutcome.Held(relayId));
    }

    /// <summary>
    /// For a durable store's per-node cache: holds a copy of a message stored elsewhere under its
    /// own id, without limits (the durable store enforced them). Ids must grow per identity: an id
    /// at or below the newest held one (a repeat) is ignored and <c>false</c> returned.
    /// </summary>
    public bool HoldStored(Identity recipient, ulong relayMessageId, Identity sender, bool sealedSender, in ReadOnlySequence<byte> envelope)
    {
        var mailbox = Enter(recipient);
        ISubscriber[] toWake;
        try
        {
            if (mailbox.Messages.Count > 0 && mailbox.Messages[^1].RelayMessageId >= relayMessageId)
            {
                return false;
            }

            mailbox.Append(HeldMessage.Hold(relayMessageId, sender, sealedSender, envelope));
            toWake = mailbox.Subscribers;
        }
        finally
        {
            Monitor.Exit(mailbox);
        }

        Interlocked.Increment(ref _held);
        Wake(toWake);
        return true;
    }

    /// <summary>For a durable store's cache: drops every message held for <paramref name="identity"/> here (they stay in the durable store).</summary>
    public void Forget(Identity identity)
    {
        if (!_mailboxes.TryGetValue(identity, out var mailbox))
        {
            return;
        }

        lock (mailbox)
        {
            foreach (var message in mailbox.Messages)
            {
                message.Release();
            }

            Interlocked.Add(ref _held, -mailbox.Messages.Count);
            mailbox.Messages.Clear();
            mailbox.Bytes = 0;
            RemoveIfUnused(identity, mailbox);
        }
    }

    /// <inheritdoc />
    public void Attach(Identity identity, ISubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        var mailbox = Enter(identity);
        bool waiting;
        try
        {
            mailbox.Subscribers = [.. mailbox.Subscribers, subscriber];
            waiting = mailbox.Messages.Count > 0;
        }
        finally
        {
            Monitor.Exit(mailbox);
        }

        if (waiting)
        {
            subscriber.MessagesAvailable();
        }
    }

    /// <inheritdoc />
    public void Detach(Identity identity, ISubscriber subscriber)
    {
        if (_mailboxes.TryGetValue(identity, out var mailbox))
        {
            lock (mailbox)
            {
                mailbox.Subscribers = Array.FindAll(mailbox.Subscribers, s => !ReferenceEquals(s, subscriber));
                RemoveIfUnused(identity, mailbox);
            }
        }
    }

    /// <inheritdoc />
    public int TakePending(Identity identity, ulong afterRelayId, int maxInFlight, Span<HeldMessage?> into, out bool capped)
    {
        capped = false;
        if (!_mailboxes.TryGetValue(identity, out var mailbox))
        {
            return 0;
        }

        lock (mailbox)
        {
            // Everything held at or below the cursor was delivered and is not yet acknowledged.
            var start = FirstAfter(mailbox.Messages, afterRelayId);
            var wanted = Math.Min(into.Length, mailbox.Messages.Count - start);
            var count = Math.Min(wanted, maxInFlight - start);
            capped = count < wanted;
            for (var i = 0; i < count; i++)
            {
                var message = mailbox.Messages[start + i];
                message.AddReference();
                into[i] = message;
            }

            return Math.Max(0, count);
        }
    }

    /// <inheritdoc />
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

        Interlocked.Decrement(ref _held);
        message.Release();
        return true;
    }

    /// <summary>The lowest relay id held for <paramref name="identity"/> (the oldest message not yet acknowledged), or <c>null</c> when none is.</summary>
    public ulong? OldestHeld(Identity identity)
    {
        if (!_mailboxes.TryGetValue(identity, out var mailbox))
        {
            return null;
        }

        lock (mailbox)
        {
            return mailbox.Messages.Count == 0 ? null : mailbox.Messages[0].RelayMessageId;
        }
    }

    /// <inheritdoc />
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

    /// <inheritdoc />
    public int Sweep() => Sweep(Stopwatch.GetTimestamp());

    /// <summary>
    /// <see cref="Sweep()"/> as if the time were <paramref name="nowTimestamp"/> (<see cref="Stopwatch"/>
    /// ticks): ages are measured from when each message was held.
    /// </summary>
    public int Sweep(long nowTimestamp)
    {
        var expired = 0;
        var now = nowTimestamp;
        foreach (var (identity, mailbox) in _mailboxes)
        {
            lock (mailbox)
            {
                // Appended in time order: the expired ones are at the front.
                var old = 0;
                while (old < mailbox.Messages.Count && now - mailbox.Messages[old].AcceptedTimestamp > _maxAgeTicks)
                {
                    mailbox.Bytes -= mailbox.Messages[old].Length;
                    mailbox.Messages[old].Release();
                    old++;
                }

                if (old > 0)
                {
                    mailbox.Messages.RemoveRange(0, old);
                    expired += old;
                }

                RemoveIfUnused(identity, mailbox);
            }
        }

        Interlocked.Add(ref _held, -expired);
        return expired;
    }

    /// <summary>Drops every held message.</summary>
    public ValueTask DisposeAsync()
    {
        foreach (var identity in _mailboxes.Keys)
        {
            Forget(identity);
        }

        return ValueTask.CompletedTask;
    }

    // The mailbox of `identity`, locked; a mailbox being forgotten at the same moment is not used.
    private Mailbox Enter(Identity identity)
    {
        while (true)
        {
            var mailbox = _mailboxes.GetOrAdd(identity, static _ => new Mailbox());
            Monitor.Enter(mailbox);
            if (!mailbox.Removed)
            {
                return mailbox;
            }

            Monitor.Exit(mailbox);
        }
    }

    // Called under the mailbox's lock.
    private void RemoveIfUnused(Identity identity, Mailbox mailbox)
    {
        if (mailbox.Messages.Count == 0 && mailbox.Subscribers.Length == 0 && !mailbox.Removed)
        {
            mailbox.Removed = true;
            _mailboxes.TryRemove(new KeyValuePair<Identity, Mailbox>(identity, mailbox));
        }
    }

    private static void Wake(ISubscriber[] subscribers)
    {
        foreach (var subscriber in subscribers)
        {
            subscriber.MessagesAvailable();
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

        // Set (under the lock) when the mailbox left the dictionary: whoever locked it late retries.
        public bool Removed { get; set; }

        public void Append(HeldMessage message)
        {
            Messages.Add(message);
            Bytes += message.Length;
        }
    }
}
