using System.Threading.Channels;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Relay.Client.Conversations;

/// <summary>
/// A conversation with one peer over conversation mailboxes ("sealed sender conversations",
/// Martiny et al., NDSS 2021): set up once with a sealed-sender message to the peer's identity that
/// carries this side's mailbox ticket; afterwards each side receives on its own ephemeral mailbox
/// (a random address the relay cannot link to an identity, opened and fetched over an anonymous
/// connection with its fetch credential) and sends to the peer's with MAILBOX_SEND over that same
/// anonymous connection. The relay sees two pseudonymous mailboxes exchanging messages, and no
/// identity at all after the set-up. Each message is E2E-sealed with the pair's session and then
/// wrapped in a conversation envelope under the peer mailbox's sealing key. Mailboxes rotate by
/// <see cref="ConversationOptions"/>: a new mailbox on a new connection, its ticket sent to the peer
/// at once, the old one kept for the grace period. Made by <see cref="RelayMessenger.StartConversationAsync"/>
/// (initiator) or handed out with the set-up message by <see cref="RelayMessenger.ReceiveAllAsync"/> (responder).
/// </summary>
public sealed class Conversation : IAsyncDisposable
{
    private readonly RelayMessenger _messenger;
    private readonly ConversationOptions _options;
    private readonly Channel<ReceivedMessage> _inbox = Channel.CreateUnbounded<ReceivedMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _peerKnown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly RecentRelayIds _recent = new();
    private readonly ConversationEnvelope _envelope;
    private readonly CancellationTokenSource _disposed = new();
    private readonly List<MailboxLink> _retiring = [];
    private byte[]? _peerTicket;
    private MailboxLink? _current;
    private Task _ready = Task.CompletedTask;
    private int _rotating;
    private int _refused;
    private int _peerTickets;

    internal Conversation(RelayMessenger messenger, Identity peer, ConversationOptions options)
    {
        _messenger = messenger;
        _options = options;
        Peer = peer;
        _envelope = new ConversationEnvelope(messenger.Algorithm, messenger.Backend);
    }

    /// <summary>The other side (known from the set-up: the certified sender, or the identity this side addressed).</summary>
    public Identity Peer { get; }

    /// <summary>How many times this side's mailbox was rotated.</summary>
    public int Rotations { get; private set; }

    /// <summary>How many tickets of the peer's mailboxes this side has had: the first, then one per rotation of the peer's.</summary>
    public int PeerTickets => Volatile.Read(ref _peerTickets);

    /// <summary>The address of the mailbox this side receives on now (what the relay and its audit log see), or empty before it is open.</summary>
    public ReadOnlyMemory<byte> MailboxAddress => _current?.Mailbox.Address.ToArray();

    /// <summary>Conversation messages this side refused: a wrong key or altered envelope, an E2E envelope that did not open, a malformed plaintext.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>
    /// Sends <paramref name="plaintext"/> to the peer's current mailbox over this side's anonymous
    /// connection and waits for the relay's answer; waits first, if need be, for the peer's ticket
    /// (the responder's arrives right after the set-up). Rotates this side's mailbox first when the
    /// policy says so. REJECTED <c>MailboxExpired</c> means the peer's mailbox expired: start again.
    /// </summary>
    /// <exception cref="ArgumentException">The plaintext is too large for a conversation message.</exception>
    public async Task<SendResult> SendAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken)
    {
        await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _peerKnown.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task<SendResult> answer;
        try
        {
            if (RotationDue(_current!))
            {
                await RotateLockedAsync(cancellationToken).ConfigureAwait(false);
            }

            answer = await SendLockedAsync(default, plaintext, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }

        return await answer.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next message the peer sent (opened, de-duplicated, acknowledged).</summary>
    public ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken) => _inbox.Reader.ReadAsync(cancellationToken);

    /// <summary>Every message the peer sends, until cancelled or disposed.</summary>
    public IAsyncEnumerable<ReceivedMessage> ReceiveAllAsync(CancellationToken cancellationToken) => _inbox.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Opens a new mailbox on a new anonymous connection now, tells the peer its ticket, and keeps the old one for the grace period.</summary>
    public async Task RotateAsync(CancellationToken cancellationToken)
    {
        await _ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _peerKnown.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RotateLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Closes this side's mailbox connections and wipes the mailbox secrets; the peer's ticket is forgotten.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        await _ready.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_current is { } current)
            {
                await current.DisposeAsync().ConfigureAwait(false);
            }

            MailboxLink[] retiring;
            lock (_retiring)
            {
                retiring = [.. _retiring];
                _retiring.Clear();
            }

            foreach (var link in retiring)
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }

        _inbox.Writer.TryComplete();
        _envelope.Dispose();
        if (_peerTicket is { } ticket)
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(ticket);
        }
    }

    // The initiator: its first mailbox, whose ticket goes into the set-up message.
    internal async Task<byte[]> OpenFirstAsync(CancellationToken cancellationToken)
    {
        _current = await OpenLinkAsync(cancellationToken).ConfigureAwait(false);
        return _current.Mailbox.Ticket();
    }

    // The responder: the initiator's ticket from the set-up; in the background, its own mailbox and
    // a ticket-only message to the initiator's, so the initiator can answer.
    internal void Accept(ReadOnlySpan<byte> peerTicket)
    {
        UsePeerTicket(peerTicket);
        _ready = Task.Run(async () =>
        {
            _current = await OpenLinkAsync(_disposed.Token).ConfigureAwait(false);
            await _sendLock.WaitAsync(_disposed.Token).ConfigureAwait(false);
            try
            {
                _ = await SendLockedAsync(_current.Mailbox.Ticket(), default, _disposed.Token).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        });
    }

    private void UsePeerTicket(ReadOnlySpan<byte> ticket)
    {
        _peerTicket = ticket.ToArray();
        Interlocked.Increment(ref _peerTickets);
        _peerKnown.TrySetResult();
    }

    private bool RotationDue(MailboxLink link) =>
        Volatile.Read(ref link.Received) >= _options.RotateAfterMessages || DateTimeOffset.UtcNow - link.OpenedAt >= _options.RotateAfter;

    private async Task RotateLockedAsync(CancellationToken cancellationToken)
    {
        var next = await OpenLinkAsync(cancellationToken).ConfigureAwait(false);
        var old = _current!;
        _current = next;
        Rotations++;
        _ = await SendLockedAsync(next.Mailbox.Ticket(), default, cancellationToken).ConfigureAwait(false);
        lock (_retiring)
        {
            _retiring.Add(old);
        }

        _ = RetireAfterGraceAsync(old);
    }

    private async Task RetireAfterGraceAsync(MailboxLink old)
    {
        await Task.Delay(_options.RotationGrace, _disposed.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        bool mine;
        lock (_retiring)
        {
            mine = _retiring.Remove(old);
        }

        if (mine)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }
    }

    // E2E-seals the framed plaintext, wraps it for the peer's mailbox and sends it on this side's
    // connection; returns the relay's answer still to come. The caller holds the send lock.
    private async Task<Task<SendResult>> SendLockedAsync(ReadOnlyMemory<byte> ticket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var inner = _messenger.SealFor(Peer, ConversationPlaintext.Message(ticket.Span, data.Span));
        var peer = _peerTicket!;
        MailboxTicket.TryRead(peer, out var parsed);
        Span<byte> address = stackalloc byte[Crypto.Sealed.MailboxAddress.Size];
        parsed.Address(address);
        var envelope = new byte[_envelope.Overhead + inner.Length];
        _envelope.Seal(parsed.SealingKey, address, inner, envelope);
        var fetchVerifier = parsed.FetchVerifier.ToArray();
        var expiry = parsed.Expiry;
        var token = new DeliveryToken(parsed.SendToken);
        var (id, answer) = _messenger.NewRequest();
        for (var attempt = 1; ; attempt++)
        {
            var link = _current!;
            await link.WriteLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                link.Connection.MailboxSend(id, fetchVerifier, expiry, token, envelope);
                await link.Connection.FlushAsync(cancellationToken).ConfigureAwait(false);
                return answer;
            }
            catch (Exception ex) when (RelayMessenger.IsConnectionLost(ex) && attempt < 10)
            {
                // The link's reader sees the drop and reopens the mailbox on a new connection.
            }
            finally
            {
                link.WriteLock.Release();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<MailboxLink> OpenLinkAsync(CancellationToken cancellationToken)
    {
        var link = await MailboxLink.OpenAsync(_messenger.ConnectAnonymousAsync, _options.MailboxLifetime, cancellationToken).ConfigureAwait(false);
        link.Reader = Task.Run(() => ReadAsync(link), CancellationToken.None);
        return link;
    }

    // One mailbox's receive loop: answers to this side's sends, and the peer's messages: the
    // conversation envelope (this mailbox's key), the E2E envelope (the pair's session), the
    // framing (a new ticket for the peer's mailbox, application data). Reopens the mailbox on a new
    // anonymous connection when the connection drops.
    private async Task ReadAsync(MailboxLink link)
    {
        var stop = link.Stop.Token;
        while (!stop.IsCancellationRequested)
        {
            RelayFrame? read;
            try
            {
                read = await link.Connection.ReadAsync(stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or RelayClientException or InvalidOperationException)
            {
                read = null;
            }

            if (read is not { } frame)
            {
                if (stop.IsCancellationRequested || !await ReopenAsync(link, stop).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            switch (frame.Type)
            {
                case FrameType.Accepted:
                    _messenger.CompleteRequest(frame.ClientMessageId, new SendResult(true, frame.RelayMessageId, null));
                    break;
                case FrameType.Rejected:
                    _messenger.CompleteRequest(frame.ClientMessageId, new SendResult(false, 0, (RejectReason)frame.Code));
                    break;
                case FrameType.Deliver:
                    var acknowledge = Deliver(link, frame);
                    if (acknowledge)
                    {
                        await AckAsync(link, frame.RelayMessageId, stop).ConfigureAwait(false);
                    }

                    break;
            }
        }
    }

    // Opens one delivered message; returns whether to ACK it (opened, or seen before).
    private bool Deliver(MailboxLink link, in RelayFrame frame)
    {
        if (!_recent.Add(frame.RelayMessageId))
        {
            return true;
        }

        var sealedEnvelope = System.Buffers.BuffersExtensions.ToArray(frame.Envelope);
        var inner = new byte[sealedEnvelope.Length];
        SealedSenderError outer;
        int innerLength;
        lock (_envelope)
        {
            outer = _envelope.TryOpen(link.Mailbox.SealingKey, link.Mailbox.Address, sealedEnvelope, inner, out innerLength);
        }

        if (outer != SealedSenderError.None)
        {
            Interlocked.Increment(ref _refused);
            return false;
        }

        var plaintext = _messenger.OpenFrom(Peer, inner.AsSpan(0, innerLength).ToArray(), out var acknowledge);
        if (plaintext is null)
        {
            if (!acknowledge)
            {
                Interlocked.Increment(ref _refused); // a replay is acknowledged and not counted
            }

            return acknowledge;
        }

        if (!ConversationPlaintext.TryReadMessage(plaintext, out var ticket, out var data))
        {
            Interlocked.Increment(ref _refused);
            return true; // opened (the E2E counter moved): keeping it would only bring it back
        }

        Interlocked.Increment(ref link.Received);
        if (!ticket.IsEmpty)
        {
            UsePeerTicket(ticket);
        }

        if (ticket.IsEmpty || !data.IsEmpty)
        {
            _inbox.Writer.TryWrite(new ReceivedMessage(Peer, data.ToArray(), frame.RelayMessageId, SealedSender: true, Conversation: this));
        }

        if (link == _current && RotationDue(link))
        {
            RotateInBackground();
        }

        return true;
    }

    // One rotation at a time, off the reader: a failed connection is tried again a few times with
    // the messenger's delays, and once done the new mailbox is checked at once, since messages that
    // made it due while this rotation was finishing found it still running and started none.
    private void RotateInBackground()
    {
        if (Interlocked.Exchange(ref _rotating, 1) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await RotateAsync(_disposed.Token).ConfigureAwait(false);
                        break;
                    }
                    catch (RelayClientException) when (attempt < 5)
                    {
                        await Task.Delay(_messenger.ReconnectDelay(attempt), _disposed.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is RelayClientException or OperationCanceledException or ObjectDisposedException)
            {
                // tried again at the next message or send
            }
            finally
            {
                Volatile.Write(ref _rotating, 0);
            }

            if (!_disposed.IsCancellationRequested && _current is { } current && RotationDue(current))
            {
                RotateInBackground();
            }
        });
    }

    private static async Task AckAsync(MailboxLink link, ulong relayMessageId, CancellationToken cancellationToken)
    {
        await link.WriteLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            link.Connection.Ack(relayMessageId);
            await link.Connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RelayMessenger.IsConnectionLost(ex))
        {
            // The relay keeps it and delivers it again on the reopened connection (recognised by relay id).
        }
        finally
        {
            link.WriteLock.Release();
        }
    }

    // The same mailbox on a new anonymous connection, with the messenger's reconnect delays.
    private async Task<bool> ReopenAsync(MailboxLink link, CancellationToken stop)
    {
        for (var attempt = 1; !stop.IsCancellationRequested; attempt++)
        {
            try
            {
                await Task.Delay(_messenger.ReconnectDelay(attempt), stop).ConfigureAwait(false);
                var connection = await MailboxLink.OpenOnNewConnectionAsync(_messenger.ConnectAnonymousAsync, link.Mailbox, stop).ConfigureAwait(false);
                await link.WriteLock.WaitAsync(stop).ConfigureAwait(false);
                var old = link.Connection;
                link.Connection = connection;
                link.WriteLock.Release();
                await old.DisposeAsync().ConfigureAwait(false);
                return true;
            }
            catch (RelayClientException)
            {
                // try again after the next delay
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }
}
