using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Relay.Client;

/// <summary>
/// End-to-end messaging for one identity over a relay connection: <see cref="SendAsync"/> seals
/// with the session for the recipient (started on first use) and waits for ACCEPTED or
/// REJECTED; <see cref="ReceiveAllAsync"/> yields opened messages and ACKs each only after it
/// opened, so a message that fails to open stays held by the relay. When the connection drops
/// it reconnects with backoff, to the next node of its list when given several (the nodes of a
/// relay cluster); the relay then re-delivers what was not acknowledged, and duplicates are
/// recognised by relay message id (<see cref="RecentRelayIds"/>) or by the E2E session (a replayed
/// counter) and acknowledged, not yielded. With a keep-alive interval it PINGs when it has written
/// nothing for that long, so the relay's idle timeout never closes a quiet but live client.
/// Sealed sender (<see cref="EnableSealedSenderAsync"/>, <see cref="SendSealedAsync"/>) sends over
/// a second, anonymous connection so the relay never learns the sender; sealed deliveries are
/// opened, their certificate checked and bound to the E2E session before they are yielded.
/// Conversations (<see cref="StartConversationAsync"/>) go further: after one sealed set-up message
/// to the peer's identity, both sides talk through ephemeral mailboxes over anonymous connections,
/// so the relay no longer sees the identity of either side (<see cref="Conversations.Conversation"/>).
/// </summary>
public sealed partial class RelayMessenger : IAsyncDisposable
{
    private readonly X25519KeyPair _identity;
    private readonly IReadOnlyList<Func<CancellationToken, Task<RelayClientConnection>>> _nodes;
    private readonly TimeSpan? _keepAlive;
    private readonly RecentRelayIds _recent = new();
    private readonly CancellationTokenSource _disposed = new();
    private Task? _keepAliveLoop;
    private long _lastWrite = Environment.TickCount64;
    private int _node;
    private readonly E2eSessionOptions _options;
    private readonly ReconnectPolicy _reconnect;
    private readonly ConcurrentDictionary<Identity, E2eSession> _outgoing = new();
    private readonly ConcurrentDictionary<Identity, E2eSession> _incoming = new();
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<SendResult>> _pending = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private RelayClientConnection? _connection;
    private long _nextClientId;

    /// <summary>Creates a messenger; <paramref name="connect"/> opens a connection as <paramref name="identity"/> (TCP or WebSocket).</summary>
    /// <param name="identity">This messenger's identity key pair.</param>
    /// <param name="connect">Opens an authenticated connection as <paramref name="identity"/>.</param>
    /// <param name="options">E2E session options (algorithm, backend, padding).</param>
    /// <param name="reconnect">Backoff between reconnects.</param>
    /// <param name="connectAnonymous">Opens an anonymous connection (for <see cref="SendSealedAsync"/>); <c>null</c> when sealed sending is not wanted.</param>
    public RelayMessenger(X25519KeyPair identity, Func<CancellationToken, Task<RelayClientConnection>> connect, E2eSessionOptions options, ReconnectPolicy? reconnect = null, Func<CancellationToken, Task<RelayClientConnection>>? connectAnonymous = null)
        : this(identity, [connect ?? throw new ArgumentNullException(nameof(connect))], options, reconnect, keepAlive: null, connectAnonymous)
    {
    }

    /// <summary>
    /// Creates a messenger over the nodes of a relay cluster: <paramref name="nodes"/> each open a
    /// connection as <paramref name="identity"/> to one node; a failed connect or a dropped
    /// connection moves on to the next. <paramref name="keepAlive"/>: PING after that long without
    /// writing (a third of the relay's idle timeout, say); <c>null</c> for none.
    /// </summary>
    /// <param name="identity">This messenger's identity key pair.</param>
    /// <param name="nodes">Each opens an authenticated connection as <paramref name="identity"/> to one node.</param>
    /// <param name="options">E2E session options (algorithm, backend, padding).</param>
    /// <param name="reconnect">Backoff between reconnects.</param>
    /// <param name="keepAlive">PING after this long without writing; <c>null</c> for none.</param>
    /// <param name="connectAnonymous">Opens an anonymous connection (for <see cref="SendSealedAsync"/>); <c>null</c> when sealed sending is not wanted.</param>
    public RelayMessenger(X25519KeyPair identity, IReadOnlyList<Func<CancellationToken, Task<RelayClientConnection>>> nodes, E2eSessionOptions options, ReconnectPolicy? reconnect = null, TimeSpan? keepAlive = null, Func<CancellationToken, Task<RelayClientConnection>>? connectAnonymous = null)
    {
        _connectAnonymous = connectAnonymous;
        _identity = identity ?? throw new ArgumentNullException(nameof(identity));
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentOutOfRangeException.ThrowIfZero(nodes.Count);
        _nodes = nodes;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _reconnect = reconnect ?? ReconnectPolicy.Default;
        _keepAlive = keepAlive is { } interval && interval > TimeSpan.Zero ? interval : null;
    }

    /// <summary>Messages the relay delivered again that were recognised by relay id and not yielded twice.</summary>
    public int Duplicates { get; private set; }

    /// <summary>The index of the node (in the list given) this messenger connects to now.</summary>
    public int CurrentNode => _node % _nodes.Count;

    /// <summary>This messenger's identity.</summary>
    public Identity Identity => new(_identity.PublicKey);

    /// <summary>How many times the connection was re-established.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Connects (with backoff) if not connected.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        // One connection at a time: a sender and the receive loop racing here would each open one,
        // and answers arriving on the connection the loop is not reading would never be seen.
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; _connection is null; attempt++)
            {
                try
                {
                    _connection = await _nodes[CurrentNode](cancellationToken).ConfigureAwait(false);
                }
                catch (RelayClientException) when (_reconnect.MaxAttempts == 0 || attempt < _reconnect.MaxAttempts)
                {
                    _node++; // that node is down: the next one, with the policy's pause once round the list
                    if (_nodes.Count == 1 || attempt % _nodes.Count == 0)
                    {
                        await Task.Delay(_reconnect.Delay(attempt / _nodes.Count + 1), cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            _keepAliveLoop ??= _keepAlive is { } interval ? KeepAliveAsync(interval) : null;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>
    /// Seals <paramref name="plaintext"/> for <paramref name="recipient"/>, sends it and waits for the
    /// relay's answer. A connection that dropped under the send is replaced by the receive loop; the
    /// same envelope then goes out on the new one (a copy that did arrive is refused by the
    /// recipient's E2E session as a replay), with the reconnect policy's delays and attempts.
    /// </summary>
    public async Task<SendResult> SendAsync(Identity recipient, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken)
    {
        var session = _outgoing.GetOrAdd(recipient, r => E2eSession.Initiate(_identity, r.ToArray(), _options));
        var clientId = (ulong)Interlocked.Increment(ref _nextClientId);
        var answer = new TaskCompletionSource<SendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[clientId] = answer;
        byte[]? envelope = null;
        for (var attempt = 1; ; attempt++)
        {
            await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Sealed under the write lock on the first attempt, so counters go out in order.
                envelope ??= Seal(session, plaintext.Span);
                _connection!.Send(clientId, recipient, envelope);
                await _connection.FlushAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _lastWrite, Environment.TickCount64);
                break;
            }
            catch (Exception ex) when (IsConnectionLost(ex) && (_reconnect.MaxAttempts == 0 || attempt < _reconnect.MaxAttempts))
            {
                // The receive loop sees the same drop and reconnects; give it the policy's delay.
            }
            finally
            {
                _writeLock.Release();
            }

            await Task.Delay(_reconnect.Delay(attempt), cancellationToken).ConfigureAwait(false);
        }

        return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads from the relay until cancelled: answers to sends complete their <see cref="SendAsync"/>,
    /// delivered envelopes are opened, acknowledged and yielded. Must be running for sends to complete.
    /// </summary>
    public async IAsyncEnumerable<ReceivedMessage> ReceiveAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            var frame = await _connection!.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (frame is null)
            {
                await ReconnectAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            switch (frame.Value.Type)
            {
                case FrameType.Accepted:
                    Complete(frame.Value.ClientMessageId, new SendResult(true, frame.Value.RelayMessageId, null));
                    break;
                case FrameType.Rejected:
                    Complete(frame.Value.ClientMessageId, new SendResult(false, 0, (RejectReason)frame.Value.Code));
                    break;
                case FrameType.Deliver when !_recent.Add(frame.Value.RelayMessageId):
                    // Seen (and ACKed) before: that ACK was lost on a drop. ACK again, do not yield.
                    Duplicates++;
                    await AckAsync(frame.Value.RelayMessageId, cancellationToken).ConfigureAwait(false);
                    break;
                case FrameType.Certificate:
                    CompleteCertificate(frame.Value);
                    break;
                case FrameType.Deliver:
                    var message = (frame.Value.Flags & FrameCodec.SealedSenderFlag) != 0
                        ? AcceptConversation(OpenSealed(frame.Value, out var acknowledge))
                        : Open(frame.Value, out acknowledge);
                    if (acknowledge)
                    {
                        await AckAsync(frame.Value.RelayMessageId, cancellationToken).ConfigureAwait(false);
                    }

                    if (message is not null)
                    {
                        yield return message;
                    }

                    break;
            }
        }
    }

    /// <summary>Closes the connection and wipes every session.</summary>
    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync().ConfigureAwait(false);
        if (_keepAliveLoop is not null)
        {
            await _keepAliveLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        await DisposeConversationsAsync().ConfigureAwait(false);
        await DisposeSealedAsync().ConfigureAwait(false);

        foreach (var session in _outgoing.Values)
        {
            session.Dispose();
        }

        foreach (var session in _incoming.Values)
        {
            session.Dispose();
        }

        _writeLock.Dispose();
        _connectLock.Dispose();
        _disposed.Dispose();
    }

    // Opened: yield and ACK. A replay of an opened message (a redelivery): ACK, do not yield.
    // Anything else (forged, corrupted): neither, so it is not lost if it was ours to open later.
    private ReceivedMessage? Open(in RelayFrame frame, out bool acknowledge)
    {
        var sender = frame.Identity;
        return OpenFrom(sender, System.Buffers.BuffersExtensions.ToArray(frame.Envelope), out acknowledge) is { } plaintext
            ? new ReceivedMessage(sender, plaintext, frame.RelayMessageId)
            : null;
    }

    // PINGs whenever nothing was written for the interval, until disposed.
    private async Task KeepAliveAsync(TimeSpan interval)
    {
        var stop = _disposed.Token;
        while (!stop.IsCancellationRequested)
        {
            var quiet = Environment.TickCount64 - Volatile.Read(ref _lastWrite);
            var wait = interval.TotalMilliseconds - quiet;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            await _writeLock.WaitAsync(stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (stop.IsCancellationRequested)
            {
                return;
            }

            try
            {
                if (_connection is { } connection)
                {
                    connection.Ping((ulong)Environment.TickCount64);
                    await connection.FlushAsync(stop).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (IsConnectionLost(ex) || ex is OperationCanceledException)
            {
                // The receive loop sees the drop and reconnects.
            }
            finally
            {
                Volatile.Write(ref _lastWrite, Environment.TickCount64);
                _writeLock.Release();
            }
        }
    }

    // The session an envelope from sender belongs to: a new one for a prekey envelope (accepted
    // only when the initiator in its header is that sender), else the one already kept.
    private E2eSession? FindSession(Identity sender, ReadOnlySpan<byte> envelope, in E2eHeader header)
    {
        E2eSession? session;
        if (header.IsPrekey && (!_incoming.TryGetValue(sender, out session) || !session.SessionId.SequenceEqual(header.SessionId)))
        {
            if (E2eSession.TryAccept(_identity, envelope, _options, out var accepted) != E2eError.None || !accepted!.RemoteIdentity.SequenceEqual(sender.ToArray()))
            {
                accepted?.Dispose();
                return null;
            }

            _incoming[sender] = session = accepted;
            return session;
        }

        return _incoming.TryGetValue(sender, out session) || _outgoing.TryGetValue(sender, out session) ? session : null;
    }

    private async Task AckAsync(ulong relayMessageId, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _connection!.Ack(relayMessageId);
            await _connection.FlushAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _lastWrite, Environment.TickCount64);
        }
        catch (Exception ex) when (IsConnectionLost(ex))
        {
            // The next read sees the drop and reconnects; the relay redelivers what was not ACKed.
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static byte[] Seal(E2eSession session, ReadOnlySpan<byte> plaintext)
    {
        var envelope = new byte[session.GetEnvelopeSize(plaintext.Length)];
        lock (session)
        {
            session.Seal(plaintext, envelope);
        }

        return envelope;
    }

    // What a write on a connection that dropped (or was closed under the writer) throws.
    internal static bool IsConnectionLost(Exception ex) =>
        ex is ObjectDisposedException or System.Net.WebSockets.WebSocketException or IOException or InvalidOperationException or RelayClientException;

    private async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        var old = _connection;
        _connection = null;
        if (_nodes.Count > 1)
        {
            _node++; // the node that dropped us may be going away: try the next one first
        }

        if (old is not null)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }

        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        Reconnects++;
        await RegisterVerifierAgainAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Complete(ulong clientId, SendResult result)
    {
        if (_pending.TryRemove(clientId, out var answer))
        {
            answer.TrySetResult(result);
        }
    }
}

/// <summary>The relay's answer to a send.</summary>
/// <param name="Accepted">Whether the relay holds it for delivery.</param>
/// <param name="RelayMessageId">The relay's id when accepted.</param>
/// <param name="Reason">Why it was rejected.</param>
public sealed record SendResult(bool Accepted, ulong RelayMessageId, RejectReason? Reason);

/// <summary>An opened end-to-end message.</summary>
/// <param name="Sender">The sender, as authenticated by the relay and bound into the E2E session.</param>
/// <param name="Plaintext">The opened plaintext.</param>
/// <param name="RelayMessageId">The relay's id (already acknowledged).</param>
/// <param name="SealedSender">Whether it came sealed: the relay did not know the sender, the certificate (or the conversation's E2E session) named it.</param>
/// <param name="Conversation">The conversation it belongs to: a conversation's message, or the set-up that started it (its plaintext is then the set-up's application data).</param>
public sealed record ReceivedMessage(Identity Sender, byte[] Plaintext, ulong RelayMessageId, bool SealedSender = false, Conversations.Conversation? Conversation = null);
