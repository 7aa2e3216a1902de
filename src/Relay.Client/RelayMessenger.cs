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
/// it reconnects with backoff; the relay then re-delivers what was not acknowledged, and
/// duplicates are recognised by the E2E session (a replayed counter) and acknowledged, not yielded.
/// Sealed sender (<see cref="EnableSealedSenderAsync"/>, <see cref="SendSealedAsync"/>) sends over
/// a second, anonymous connection so the relay never learns the sender; sealed deliveries are
/// opened, their certificate checked and bound to the E2E session before they are yielded.
/// </summary>
public sealed partial class RelayMessenger : IAsyncDisposable
{
    private readonly X25519KeyPair _identity;
    private readonly Func<CancellationToken, Task<RelayClientConnection>> _connect;
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
    {
        _connectAnonymous = connectAnonymous;
        _identity = identity ?? throw new ArgumentNullException(nameof(identity));
        _connect = connect ?? throw new ArgumentNullException(nameof(connect));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _reconnect = reconnect ?? ReconnectPolicy.Default;
    }

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
                    _connection = await _connect(cancellationToken).ConfigureAwait(false);
                }
                catch (RelayClientException) when (_reconnect.MaxAttempts == 0 || attempt < _reconnect.MaxAttempts)
                {
                    await Task.Delay(_reconnect.Delay(attempt), cancellationToken).ConfigureAwait(false);
                }
            }
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
                case FrameType.Certificate:
                    CompleteCertificate(frame.Value);
                    break;
                case FrameType.Deliver:
                    var message = (frame.Value.Flags & FrameCodec.SealedSenderFlag) != 0
                        ? OpenSealed(frame.Value, out var acknowledge)
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
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

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
    }

    // Opened: yield and ACK. A replay of an opened message (a redelivery): ACK, do not yield.
    // Anything else (forged, corrupted): neither, so it is not lost if it was ours to open later.
    private ReceivedMessage? Open(in RelayFrame frame, out bool acknowledge)
    {
        acknowledge = false;
        var envelope = System.Buffers.BuffersExtensions.ToArray(frame.Envelope);
        if (E2eEnvelope.TryReadHeader(envelope, out var header) != E2eError.None)
        {
            return null;
        }

        var sender = frame.Identity;
        var session = FindSession(sender, envelope, header);
        if (session is null)
        {
            return null;
        }

        var plaintext = new byte[envelope.Length];
        E2eError error;
        int written;
        lock (session)
        {
            error = session.TryOpen(envelope, plaintext, out written);
        }

        acknowledge = error is E2eError.None or E2eError.Replay;
        return error == E2eError.None ? new ReceivedMessage(sender, plaintext[..written], frame.RelayMessageId) : null;
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
    private static bool IsConnectionLost(Exception ex) =>
        ex is ObjectDisposedException or System.Net.WebSockets.WebSocketException or IOException or InvalidOperationException or RelayClientException;

    private async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        var old = _connection;
        _connection = null;
        if (old is not null)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }

        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        Reconnects++;
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
/// <param name="SealedSender">Whether it came sealed: the relay did not know the sender, the certificate named it.</param>
public sealed record ReceivedMessage(Identity Sender, byte[] Plaintext, ulong RelayMessageId, bool SealedSender = false);
