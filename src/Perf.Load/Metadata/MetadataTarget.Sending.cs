using System.Collections.Concurrent;
using System.Diagnostics;
using Perf.Load.Targets;
using Relay.Client;
using Relay.Client.Conversations;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Perf.Load.Metadata;

/// <content>The sender's side: what each user writes when the scheduler says so.</content>
public sealed partial class MetadataTarget
{
    // Seals (E2E; then the sealed layer with the sender's certificate, or the conversation layer
    // under the peer mailbox's key) into the scheduling thread's own buffers and writes, without
    // flushing, on the sender's connection for this mode: the authenticated one (plain), the
    // anonymous one (sealed, and a conversation's set-up) or the mailbox side's (conversations).
    // Called on the scheduling thread only.
    private void Write(User sender, RelayClientConnection[] dirty, ref int dirtyCount, long sequence, long intended, int recipientIndex, int size, MessageKind kind)
    {
        var context = _context!;
        var measured = context.IsMeasured(intended);
        var slot = (int)(sequence & RingMask);
        (_senders[slot], _recipients[slot], _sizes[slot], _measured[slot], _kinds[slot]) = (sender.Index, recipientIndex, size, measured, kind);
        Interlocked.Increment(ref _written); // a full fence: the receive threads see the slot before any answer to it

        var recipient = _users[recipientIndex];
        LoadPayload.Write(_plaintext.AsSpan(0, size), sequence, intended);
        ReadOnlySpan<byte> plaintext = _plaintext.AsSpan(0, size);
        var session = sender.Sessions[recipientIndex];
        var started = Stopwatch.GetTimestamp();
        var setup = _mode.Conversations && !_pairSetUp[PairOf(sender.Index, recipientIndex)];
        if (setup)
        {
            plaintext = ConversationPlaintext.Setup(sender.Mailboxes[recipientIndex].Mailbox.Ticket(), plaintext); // once per pair
        }

        ReadOnlySpan<byte> envelope;
        lock (session)
        {
            envelope = _envelope.AsSpan(0, session.Seal(plaintext, _envelope));
        }

        if (_mode.SealedSender || setup)
        {
            envelope = _outer.AsSpan(0, _sealer.Seal(recipient.Key.PublicKey, sender.Certificate!, envelope, _outer));
        }
        else if (_mode.Conversations)
        {
            var peer = sender.Mailboxes[recipientIndex].Peer!;
            envelope = _outer.AsSpan(0, _conversationSealer.Seal(peer.SealingKey, peer.Address, envelope, _outer));
        }

        context.Sealed(started, Stopwatch.GetTimestamp(), measured);
        var recipientIdentity = new Identity(recipient.Key.PublicKey);
        RelayClientConnection connection;
        if (setup)
        {
            _pairSetUp[PairOf(sender.Index, recipientIndex)] = true;
            Interlocked.Increment(ref _setups);
            connection = sender.Anonymous!;
            connection.SealedSend((ulong)sequence, recipientIdentity, recipient.Token, envelope);
        }
        else if (_mode.Conversations)
        {
            var side = sender.Mailboxes[recipientIndex];
            connection = side.Connection;
            connection.MailboxSend((ulong)sequence, side.Peer!.FetchVerifier, side.Peer.Expiry, side.Peer.SendToken, envelope);
        }
        else if (_mode.SealedSender)
        {
            connection = sender.Anonymous!;
            connection.SealedSend((ulong)sequence, recipientIdentity, recipient.Token, envelope);
            sender.AnonymousSends++;
        }
        else
        {
            connection = sender.Authenticated!;
            connection.Send((ulong)sequence, recipientIdentity, envelope);
        }

        MarkDirty(dirty, ref dirtyCount, connection);
    }

    // Pair (i, i+1) is pair i; both directions share it, so whichever side speaks first sets it up.
    private int PairOf(int sender, int recipient) => recipient == (sender + 1) % _users.Length ? sender : recipient;

    private static void MarkDirty(RelayClientConnection[] dirty, ref int dirtyCount, RelayClientConnection connection)
    {
        for (var i = 0; i < dirtyCount; i++)
        {
            if (ReferenceEquals(dirty[i], connection))
            {
                return;
            }
        }

        dirty[dirtyCount++] = connection;
    }

    // ACKs go out on the connection that received, written by the one thread that writes to it (the scheduler's).
    private static void WriteAcks(RelayClientConnection connection, ConcurrentQueue<ulong> acks, RelayClientConnection[] dirty, ref int dirtyCount)
    {
        var any = false;
        while (acks.TryDequeue(out var relayId))
        {
            connection.Ack(relayId);
            any = true;
        }

        if (any)
        {
            MarkDirty(dirty, ref dirtyCount, connection);
        }
    }

    // One of sender's contacts at random, and a text size.
    private (int Recipient, int Size) ToRandomContact(User sender)
    {
        var contacts = sender.Contacts(_users.Length);
        return (contacts[_random.Next(contacts.Length)], _options.Sizes.Next(_random));
    }

    /// <summary>
    /// One user as one of the run's connections: a scheduled arrival is a new text to a random
    /// contact (or a cover message, in proportion to the cover rate); a follow-up is a receipt or
    /// reply the user owes. A flush sends what was written on each of the user's relay connections,
    /// with the ACKs of what they received, and in the fresh-connections mode, after every
    /// <see cref="MetadataWorkloadOptions.FreshConnectionEvery"/> sealed sends, opens a new anonymous
    /// connection for the next ones: the flush stays pending meanwhile, so a message due then waits
    /// for it and its latency counts the handshake, as a real client's would.
    /// </summary>
    private sealed class Client(MetadataTarget target, User user) : IFollowUpConnection
    {
        // The user's authenticated, anonymous and two mailbox connections at most.
        private readonly RelayClientConnection[] _dirty = new RelayClientConnection[8];
        private int _dirtyCount;
        private long _nextFollowUp = long.MaxValue;

        public long NextFollowUpTicks => Volatile.Read(ref _nextFollowUp);

        public void Write(long sequence, long intendedTicks, bool measured)
        {
            var cover = target._random.NextDouble() < target._coverShare;
            var (recipient, size) = target.ToRandomContact(user);
            target.Write(user, _dirty, ref _dirtyCount, sequence, intendedTicks, recipient, size, cover ? MessageKind.Cover : MessageKind.Text);
        }

        public long WriteFollowUp(long sequence)
        {
            FollowUp due;
            long at;
            lock (user.FollowUps)
            {
                user.FollowUps.TryDequeue(out due, out at);
                Volatile.Write(ref _nextFollowUp, EarliestLocked());
            }

            target.Write(user, _dirty, ref _dirtyCount, sequence, at, due.Recipient, due.Size, due.Kind);
            return at;
        }

        // Under the queue's lock: the due time of the earliest follow-up left, or long.MaxValue.
        private long EarliestLocked() => user.FollowUps.TryPeek(out _, out var at) ? at : long.MaxValue;

        /// <summary>Queues a receipt or a reply for the scheduler (from a receive thread).</summary>
        public void Owe(FollowUp followUp, long at)
        {
            lock (user.FollowUps)
            {
                user.FollowUps.Enqueue(followUp, at);
                Volatile.Write(ref _nextFollowUp, EarliestLocked());
            }

            target._context!.FollowUpQueued();
        }

        public ValueTask FlushAsync()
        {
            WriteAcks(user.Authenticated!, user.Acks, _dirty, ref _dirtyCount);
            foreach (var side in user.Mailboxes.Values)
            {
                WriteAcks(side.Connection, side.Acks, _dirty, ref _dirtyCount);
            }

            var fresh = target._mode.FreshConnections && user.AnonymousSends >= target._options.FreshConnectionEvery;
            for (var i = 0; i < _dirtyCount; i++)
            {
                ValueTask flush;
                try
                {
                    flush = _dirty[i].FlushAsync();
                }
                catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or IOException)
                {
                    _dirtyCount = 0;
                    return ValueTask.FromException(ex);
                }

                if (!flush.IsCompletedSuccessfully)
                {
                    return FlushRestAsync(flush, i, fresh);
                }
            }

            _dirtyCount = 0;
            return fresh ? new ValueTask(FreshAnonymousConnectionAsync()) : default;
        }

        private async ValueTask FlushRestAsync(ValueTask pending, int index, bool fresh)
        {
            try
            {
                await pending.ConfigureAwait(false);
                for (var i = index + 1; i < _dirtyCount; i++)
                {
                    await _dirty[i].FlushAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _dirtyCount = 0;
            }

            if (fresh)
            {
                await FreshAnonymousConnectionAsync().ConfigureAwait(false);
            }
        }

        // The fresh-connections defence: the next sealed sends go on a new anonymous connection.
        // The one before is closed now; the one just replaced stays open for answers on their way.
        private async Task FreshAnonymousConnectionAsync()
        {
            RelayClientConnection fresh;
            try
            {
                fresh = await RelayClientConnection.ConnectAnonymousTcpAsync(target._relay, target._clientOptions, CancellationToken.None).ConfigureAwait(false);
            }
            catch (RelayClientException)
            {
                target._context!.Error();
                return; // keep sending on the old one
            }

            if (user.Retired is { } closing)
            {
                await closing.DisposeAsync().ConfigureAwait(false);
            }

            (user.Retired, user.Anonymous, user.AnonymousSends) = (user.Anonymous, fresh, 0);
            target.StartReader(user, fresh, null, null);
        }
    }
}
