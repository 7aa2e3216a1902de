using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Perf.Load.Targets;
using Perf.Results.Metadata;
using Relay.Client;
using Relay.Client.Conversations;
using Relay.Crypto.E2e;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Perf.Load.Metadata;

/// <content>The recipient's side: answers, deliveries, and the receipts and replies they call for.</content>
public sealed partial class MetadataTarget
{
    // One receive loop per relay connection; acks is where a DELIVER's ACK waits for the user's next flush (null: no DELIVERs come here).
    private async Task ReceiveAsync(User user, RelayClientConnection connection, ConcurrentQueue<ulong>? acks, MailboxSide? side)
    {
        try
        {
            while (await connection.ReadAsync().ConfigureAwait(false) is { } frame)
            {
                switch (frame.Type)
                {
                    case FrameType.Accepted:
                        Answered(frame.ClientMessageId, frame.RelayMessageId, accepted: true);
                        break;
                    case FrameType.Rejected:
                        Answered(frame.ClientMessageId, 0, accepted: false);
                        break;
                    case FrameType.Deliver:
                        Open(user, side, frame, Stopwatch.GetTimestamp());
                        acks?.Enqueue(frame.RelayMessageId);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is RelayClientException or OperationCanceledException or ObjectDisposedException)
        {
            // the connection ended
        }
    }

    // The relay's answer to message `sequence`: counted (when measured) as the engine counts any
    // target's, and an accepted one kept with its true sender for the attacks' scoring.
    private void Answered(ulong sequence, ulong relayId, bool accepted)
    {
        var slot = (int)((long)sequence & RingMask);
        Interlocked.Increment(ref _answered);
        if (!accepted)
        {
            if (_measured[slot])
            {
                _context!.Rejected();
            }

            return;
        }

        if (_measured[slot])
        {
            _context!.Accepted();
        }

        if (_kinds[slot] == MessageKind.Cover)
        {
            Interlocked.Increment(ref _acceptedCover); // cover is traffic, not a message to link: the attacks are scored on real ones
            return;
        }

        _accepted.Add(new SentMessage(relayId, _senders[slot], _recipients[slot], _sizes[slot], _kinds[slot] != MessageKind.Text));
    }

    // The recipient's side: open (sealed, and a conversation's set-up: outer layer, certificate,
    // sender bound to the session; conversations: the mailbox's layer, then the session of the
    // mailbox's one peer), report the arrival, and owe a receipt (and maybe a reply) for a text.
    private void Open(User user, MailboxSide? side, in RelayFrame frame, long received)
    {
        // Pooled buffers: a DELIVER allocates nothing once the pool holds a few.
        var length = (int)frame.Envelope.Length;
        var bytes = ArrayPool<byte>.Shared.Rent(length);
        var plaintext = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            frame.Envelope.CopyTo(bytes);
            Open(user, side, frame, bytes.AsSpan(0, length), plaintext, received);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<byte>.Shared.Return(plaintext);
        }
    }

    private void Open(User user, MailboxSide? side, in RelayFrame frame, ReadOnlySpan<byte> bytes, byte[] plaintext, long received)
    {
        if (!TryOpen(user, side, frame, bytes, plaintext, out var from, out var written))
        {
            _context!.Error();
            return;
        }

        var payload = plaintext.AsSpan(0, written);
        if (side is null && _mode.Conversations)
        {
            if (!ConversationPlaintext.TryReadSetup(payload, out _, out var data))
            {
                _context!.Error();
                return;
            }

            payload = payload[^data.Length..];
        }

        var opened = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _delivered);
        _context!.Delivered(payload, received, opened);
        if (!LoadPayload.TryRead(payload, out var sequence, out _) || _kinds[(int)(sequence & RingMask)] != MessageKind.Text)
        {
            return; // receipts, replies and cover are answered by nothing
        }

        // A delayed receipt (timing defence) leaves at a uniformly random time within the delay;
        // its e2e time counts from then, so the delay itself is not in the e2e columns.
        var client = user.Client!;
        var receiptAt = _mode.DelayedReceipts ? opened + (long)(Random.Shared.NextDouble() * _options.ReceiptDelay.TotalSeconds * Stopwatch.Frequency) : opened;
        client.Owe(new FollowUp(from, ReceiptSize, MessageKind.Receipt), receiptAt);
        if (Random.Shared.NextDouble() < _options.ReplyProbability)
        {
            var delay = (long)(-Math.Log(1 - Random.Shared.NextDouble()) * _options.MeanReplyDelay.TotalSeconds * Stopwatch.Frequency);
            client.Owe(new FollowUp(from, _options.Sizes.Next(Random.Shared), MessageKind.Reply), opened + delay);
        }
    }

    // Opens one DELIVER into plaintext; from is the sender's index. A session opens under its lock:
    // a conversation's set-up and its mailbox messages arrive on different connections' threads.
    private bool TryOpen(User user, MailboxSide? side, in RelayFrame frame, ReadOnlySpan<byte> bytes, byte[] plaintext, out int from, out int written)
    {
        written = 0;
        if (side is not null)
        {
            from = side.Contact;
            var inner = ArrayPool<byte>.Shared.Rent(bytes.Length);
            try
            {
                if (side.Opener.TryOpen(side.Mailbox.SealingKey, side.Mailbox.Address, bytes, inner, out var innerLength) != SealedSenderError.None
                    || !user.Sessions.TryGetValue(from, out var session))
                {
                    return false;
                }

                lock (session)
                {
                    return session.TryOpen(inner.AsSpan(0, innerLength), plaintext, out written) == E2eError.None;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(inner);
            }
        }

        if (_mode.SealedSender || _mode.Conversations)
        {
            if (user.Opener!.TryUnseal(bytes, DateTimeOffset.UtcNow, out var contents) != SealedSenderError.None
                || (from = IndexOf(contents.Sender)) < 0
                || !user.Sessions.TryGetValue(from, out var session))
            {
                from = -1;
                return false;
            }

            lock (session)
            {
                return SealedSenderOpener.OpenInner(session, contents.Sender, contents.Envelope, plaintext, out written, out _) == SealedSenderError.None;
            }
        }

        Span<byte> identity = stackalloc byte[Identity.Size];
        frame.Identity.CopyTo(identity);
        if ((from = IndexOf(identity)) < 0 || !user.Sessions.TryGetValue(from, out var plainSession))
        {
            return false;
        }

        lock (plainSession)
        {
            return plainSession.TryOpen(bytes, plaintext, out written) == E2eError.None;
        }
    }

    private int IndexOf(ReadOnlySpan<byte> identity)
    {
        foreach (var user in _users)
        {
            if (user.Key.PublicKey.SequenceEqual(identity))
            {
                return user.Index;
            }
        }

        return -1;
    }
}
