using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;
using Relay.Protocol.Threading;
using Relay.Protocol.Transports;
using Relay.Server.Limits;
using Relay.Server.Logging;
using Relay.Server.Metrics;
using Relay.Server.Sealed;

namespace Relay.Server.Connections;

/// <summary>
/// One authenticated client connection, whatever its transport. The read loop parses frames
/// and applies them (SEND, ACK, PING) until the peer closes: every whole frame that arrived
/// before its close is applied, and the answers still go out on a half-closed connection. The
/// write loop is the only writer: it sends the answers and pulls held messages past its cursor
/// (at most <see cref="RelayOptions.MaxDeliversInFlight"/> unacknowledged), flushing after each
/// batch so that a slow reader holds the loop (and nothing else) at the pipe's pause threshold,
/// while its messages wait, bounded, in its mailbox. A bad frame gets an ERROR frame and closes
/// this connection only (counted and logged once by the close log); so does silence past the idle
/// timeout. SENDs past the connection's send rate are answered REJECTED <c>RateLimited</c> and the
/// connection stays open. When the relay stops, the connection applies what it already received,
/// answers, sends ERROR <c>ShuttingDown</c> and closes. An authenticated connection receives on
/// its identity's mailbox; an anonymous one on nothing, until an OPEN_MAILBOX makes it the
/// receiving connection of one conversation mailbox.
/// </summary>
internal sealed partial class RelayConnection : ISubscriber
{
    private const int Batch = 64;

    // SENDs waiting for a durable store's confirmation before the read loop waits for one itself.
    private const int MaxOutstandingSends = 256;

    private readonly Identity _identity;
    private readonly IFrameTransport _transport;
    private readonly RelayState _state;
    private readonly RelayRouter _router;
    private readonly RelayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ConnectionMetadata _metadata;
    private readonly PeerInfo _peer;
    private readonly bool _sendRateLimited;
    private TokenBucket _sends; // read loop only
    private readonly SmallQueue<Control> _control = new();
    private readonly WakeSignal _wake = new();
    private readonly ArrayBufferWriter<byte> _frame = new(); // grows on first use: an idle connection holds no frame buffer
    private Identity _inbox; // the mailbox it receives on: written once (before _hasInbox), read by both loops
    private volatile bool _hasInbox;
    private readonly CancellationTokenSource _abort = new();
    private long _lastFrameAt = Environment.TickCount64;
    private int _wakePending;
    private int _outstandingSends;
    private int _idleState;
    private int _closeQueued;
    private volatile bool _stopReading;
    private volatile bool _closing;
    private volatile bool _draining;
    private volatile bool _throttled;

    public RelayConnection(Identity identity, IFrameTransport transport, RelayState state, ILogger logger, ConnectionMetadata metadata, PeerInfo peer)
    {
        _metadata = metadata;
        _peer = peer;
        _sendRateLimited = state.Options.SendRatePerConnection > 0;
        _sends = new TokenBucket(state.Options.SendRatePerConnection, state.Options.SendBurstPerConnection, Stopwatch.GetTimestamp());
        _identity = identity;
        _transport = transport;
        _state = state;
        _router = state.Router;
        _metrics = state.Metrics;
        _logger = logger;
        if (!metadata.IsAnonymous)
        {
            _inbox = identity;
            _hasInbox = true;
        }
    }

    /// <summary>When the last frame arrived (<see cref="Environment.TickCount64"/>), for the idle timeout.</summary>
    public long LastFrameAt => Volatile.Read(ref _lastFrameAt);

    public void MessagesAvailable()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _wake.Release();
        }
    }

    public async Task RunAsync()
    {
        _metrics.Connections.Add(1);
        _metadata.Connected(_identity);
        if (_hasInbox)
        {
            _router.Attach(_inbox, this); // an anonymous connection has none until it opens a conversation mailbox
        }

        _state.Supervisor.Register(this);
        var writer = WriteLoopAsync(_abort.Token);
        try
        {
            await ReadLoopAsync(_abort.Token).ConfigureAwait(false);
        }
        catch (WebSocketFrameException ex)
        {
            Refuse(CloseReasons.OfWebSocket(ex.Status), ex.Error, ex.Message);
        }
        catch (Crypto.Noise.NoiseException ex)
        {
            // Tampered or garbage bytes after the handshake: the channel is unusable, so no ERROR frame.
            _state.CloseLog.Closed(CloseReasons.OfTransport(ex.Error), _peer.ConnectionId, _peer.Source);
        }
        catch (System.Net.WebSockets.WebSocketException ex) when (ex.WebSocketErrorCode != System.Net.WebSockets.WebSocketError.ConnectionClosedPrematurely)
        {
            _state.CloseLog.Closed(CloseReason.WebSocketProtocol, _peer.ConnectionId, _peer.Source);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Net.WebSockets.WebSocketException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            // The peer went (a reset, a drop): an ordinary end, not bad input.
            LogEnded(_logger, _peer.ConnectionId, ex.Message);
        }
        finally
        {
            _state.Supervisor.Unregister(this);
            if (_hasInbox)
            {
                _router.Detach(_inbox, this);
            }

            _metadata.Disconnected();

            if (_draining)
            {
                Close(FrameError.ShuttingDown, "the relay is shutting down");
            }

            _closing = true;
            MessagesAvailable();
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException or System.Net.WebSockets.WebSocketException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
            {
                // The peer is gone; what it did not ACK stays held for its next connection.
            }

            if (Volatile.Read(ref _closeQueued) == 0)
            {
                await CloseGracefullyAsync().ConfigureAwait(false);
            }

            _metrics.Connections.Add(-1);
            // Not disposed: the supervisor's timer may still cancel it, harmlessly, after this.
            await _abort.CancelAsync().ConfigureAwait(false);
        }
    }

    // The peer closed first: answer its close (FIN, or the WebSocket close frame) once the answers are out.
    private async Task CloseGracefullyAsync()
    {
        try
        {
            await _transport.CloseAsync(FrameError.None, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException or System.Net.WebSockets.WebSocketException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            // Already gone.
        }
    }

    /// <summary>
    /// The relay stops: apply what already arrived, answer it, then ERROR <c>ShuttingDown</c> and
    /// close. A WebSocket cannot tell what arrived, so it is closed first and read until the peer's close.
    /// </summary>
    public void BeginDrain()
    {
        _draining = true;
        if (!_transport.TryDrainInput())
        {
            Close(FrameError.ShuttingDown, "the relay is shutting down");
        }
    }

    /// <summary>
    /// Called when nothing arrived for the idle timeout: the first call sends ERROR <c>IdleTimeout</c>
    /// and closes; a later one (the peer did not go) aborts. Returns whether this call closed it.
    /// </summary>
    public bool CloseIdle()
    {
        if (Interlocked.Exchange(ref _idleState, 1) == 0)
        {
            LogIdle(_logger, _peer.ConnectionId);
            _stopReading = true;
            Close(FrameError.IdleTimeout, "idle past the relay's timeout");
            return true;
        }

        _abort.Cancel();
        return false;
    }

    // With inline scheduling, the frames one read delivered are applied as one batch
    // (ReadBatchWakes): the batch closes, running the writers it woke, whenever the loop is about
    // to wait, and in the finally, which runs on the thread that holds the batch. Long on purpose,
    // like the write loop: the connection's hot loop, whose try/finally owns the batch and the
    // pipe's buffers; what each frame does is in the methods it calls.
    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var batching = _state.Options.InlineScheduling;
        try
        {
            // No token from the transport's "closed" event here: a peer's close must not cut off the
            // frames that arrived before it. Only an abort (idle peer that did not go) cancels.
            while (!_stopReading)
            {
                var reading = _transport.ReadAsync(cancellationToken);
                if (batching && !reading.IsCompleted)
                {
                    ReadBatchWakes.Close();
                }

                var (bytes, completed) = await reading.ConfigureAwait(false);
                if (batching)
                {
                    ReadBatchWakes.Open();
                }

                if (completed)
                {
                    return;
                }

                Volatile.Write(ref _lastFrameAt, Environment.TickCount64);
                _metrics.FramesIn.Add(1);
                _metrics.BytesIn.Add(bytes.Length);
                var error = FrameCodec.TryRead(bytes, _state.Options.Frames, out var frame);
                if (error != FrameError.None)
                {
                    Refuse(CloseReasons.OfFrame(error), error, $"malformed frame ({error})");
                    return;
                }

                switch (frame.Type)
                {
                    case FrameType.Send or FrameType.SealedSend or FrameType.MailboxSend:
                        var sending = SendAsync(frame);
                        if (!sending.IsCompleted)
                        {
                            if (batching)
                            {
                                ReadBatchWakes.Close();
                            }

                            await sending.ConfigureAwait(false);
                            if (batching)
                            {
                                ReadBatchWakes.Open();
                            }
                        }
                        else
                        {
                            sending.GetAwaiter().GetResult();
                        }

                        break;
                    case FrameType.OpenMailbox:
                        OpenMailbox(frame);
                        break;
                    case FrameType.CertificateRequest or FrameType.SetDeliveryVerifier:
                        var reply = _metadata.Answer(frame, _identity);
                        _control.Enqueue(new Control(reply.Type, frame.ClientMessageId, 0, (byte)reply.Reason) { Frame = reply.Frame });
                        MessagesAvailable();
                        break;
                    case FrameType.Ack:
                        if (_hasInbox && _router.Ack(_inbox, frame.RelayMessageId) && _throttled)
                        {
                            MessagesAvailable(); // room under the in-flight cap
                        }

                        break;
                    case FrameType.Ping:
                        _control.Enqueue(new Control(FrameType.Pong, frame.ClientMessageId, 0, 0));
                        MessagesAvailable();
                        break;
                    case FrameType.Pong:
                        break;
                    default:
                        Refuse(CloseReason.FrameUnexpectedType, FrameError.UnexpectedType, $"a client may not send {frame.Type}");
                        return;
                }
            }
        }
        finally
        {
            if (batching)
            {
                ReadBatchWakes.Close();
            }
        }
    }

    // An anonymous connection becomes the receiving connection of a conversation mailbox: from now
    // on it is delivered that mailbox's messages and ACKs them, as an identity's connection does.
    private void OpenMailbox(in RelayFrame frame)
    {
        var refusal = _metadata.OpenMailbox(frame, out var address, out var alreadyOpen);
        if (refusal is null && !alreadyOpen)
        {
            _inbox = address;
            _hasInbox = true;
            _router.Attach(address, this); // wakes the writer at once when messages are waiting
        }

        _control.Enqueue(refusal is { } reason
            ? new Control(FrameType.Rejected, frame.ClientMessageId, 0, (byte)reason)
            : new Control(FrameType.Accepted, frame.ClientMessageId, 0, 0));
        MessagesAvailable();
    }

    // The one place a client's SEND, SEALED_SEND or MAILBOX_SEND enters the relay core (the
    // sealed-sender and mailbox rules admit it and name its mailbox; the audit log notes it once
    // accepted). A store that answers at once (memory) is
    // answered here; a durable one is answered when it confirms, while this loop reads on
    // (pipelined), up to MaxOutstandingSends per connection.
    private ValueTask SendAsync(in RelayFrame frame)
    {
        if (_sendRateLimited && !_sends.TryTake(Stopwatch.GetTimestamp()))
        {
            Answer(frame, default, SendOutcome.Refused(RejectReason.RateLimited));
            return ValueTask.CompletedTask;
        }

        if (_metadata.Admit(frame, out var recipient) is { } refusal)
        {
            Answer(frame, recipient, SendOutcome.Refused(refusal));
            return ValueTask.CompletedTask;
        }

        var pending = _router.SendAsync(ConnectionMetadata.SenderOf(frame, _identity), recipient, frame.Envelope, frame.Type != FrameType.Send);
        if (pending.IsCompletedSuccessfully)
        {
            Answer(frame, recipient, pending.Result);
            return ValueTask.CompletedTask;
        }

        // The frame's bytes are reused by the next read; what the answer needs (ids, types,
        // the envelope's length) is in the struct, which is copied.
        if (Volatile.Read(ref _outstandingSends) >= MaxOutstandingSends)
        {
            return AnswerWhenDoneAsync(frame, recipient, pending);
        }

        Interlocked.Increment(ref _outstandingSends);
        _ = AnswerLaterAsync(frame, recipient, pending);
        return ValueTask.CompletedTask;
    }

    private async ValueTask AnswerWhenDoneAsync(RelayFrame frame, Identity recipient, ValueTask<SendOutcome> pending) =>
        Answer(frame, recipient, await pending.ConfigureAwait(false));

    private async Task AnswerLaterAsync(RelayFrame frame, Identity recipient, ValueTask<SendOutcome> pending)
    {
        try
        {
            Answer(frame, recipient, await pending.ConfigureAwait(false));
        }
        finally
        {
            Interlocked.Decrement(ref _outstandingSends);
        }
    }

    private void Answer(in RelayFrame frame, Identity recipient, SendOutcome outcome)
    {
        if (outcome.IsAccepted)
        {
            _metadata.Accepted(frame, recipient, outcome.RelayMessageId, _identity);
            _metrics.Accepted.Add(1);
        }
        else
        {
            _metrics.Rejected.Add(1, RelayMetrics.RejectTag(outcome.Reason));
        }

        _control.Enqueue(outcome.IsAccepted
            ? new Control(FrameType.Accepted, frame.ClientMessageId, outcome.RelayMessageId, 0)
            : new Control(FrameType.Rejected, frame.ClientMessageId, 0, (byte)outcome.Reason));
        MessagesAvailable();
    }

    // Bad input: counted and logged once, then ERROR and close.
    private void Refuse(CloseReason why, FrameError error, string reason)
    {
        _state.CloseLog.Closed(why, _peer.ConnectionId, _peer.Source);
        Close(error, reason);
    }

    // Queues the ERROR frame (once) that makes the writer flush, send it and close.
    private void Close(FrameError error, string reason)
    {
        if (Interlocked.Exchange(ref _closeQueued, 1) != 0)
        {
            return;
        }

        _control.Enqueue(new Control(FrameType.Error, 0, 0, (byte)error) { Reason = reason });
        _closing = true;
        MessagesAvailable();
    }

    // The only writer of this connection (see ReadLoopAsync for why it stays one method): control
    // frames first, then held messages past the cursor up to the in-flight cap, one flush a batch.
    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        HeldMessage?[]? batch = null;
        var maxInFlight = _state.Options.MaxDeliversInFlight;
        ulong cursor = 0;
        try
        {
            while (true)
            {
                // The batch is rented only while awake: a waiting connection holds none.
                if (batch is not null)
                {
                    ArrayPool<HeldMessage?>.Shared.Return(batch);
                    batch = null;
                }

                await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
                batch = ArrayPool<HeldMessage?>.Shared.Rent(Batch);
                Volatile.Write(ref _wakePending, 0);
                var closing = _closing; // read first: an answer queued before closing is written below
                while (_control.TryDequeue(out var control))
                {
                    WriteControl(control);
                    if (control.Type == FrameType.Error)
                    {
                        await _transport.FlushAsync(cancellationToken).ConfigureAwait(false);
                        await _transport.CloseAsync((FrameError)control.Code, cancellationToken).ConfigureAwait(false);
                        return;
                    }
                }

                if (closing)
                {
                    await _transport.FlushAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }

                if (!_hasInbox)
                {
                    // An anonymous connection with no mailbox has only answers to send.
                    await _transport.FlushAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                while (true)
                {
                    var count = _router.TakePending(_inbox, cursor, maxInFlight, batch, out var capped);
                    for (var i = 0; i < count; i++)
                    {
                        var message = batch[i]!;
                        _frame.ResetWrittenCount();
                        FrameCodec.WriteDeliver(_frame, message.RelayMessageId, message.Sender, message.SealedSender, message.Envelope);
                        Send();
                        cursor = message.RelayMessageId;
                    }

                    await _transport.FlushAsync(cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < count; i++)
                    {
                        _metrics.RecordForwarded(batch[i]!.AcceptedTimestamp);
                        batch[i]!.Release();
                        batch[i] = null;
                    }

                    _metrics.Delivered.Add(count);
                    if (capped)
                    {
                        // At the in-flight cap: publish that an ACK must wake us, then look once more,
                        // so an ACK that came in between is not missed.
                        if (!_throttled)
                        {
                            _throttled = true;
                            continue;
                        }

                        break;
                    }

                    _throttled = false;
                    if (count < Batch)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            if (batch is not null)
            {
                ArrayPool<HeldMessage?>.Shared.Return(batch);
            }
        }
    }

    private void WriteControl(Control control)
    {
        _frame.ResetWrittenCount();
        switch (control.Type)
        {
            case FrameType.Accepted:
                FrameCodec.WriteAccepted(_frame, control.First, control.Second);
                break;
            case FrameType.Rejected:
                FrameCodec.WriteRejected(_frame, control.First, (RejectReason)control.Code);
                break;
            case FrameType.Pong:
                FrameCodec.WritePong(_frame, control.First);
                break;
            case FrameType.Certificate:
                _frame.Write(control.Frame);
                break;
            default:
                FrameCodec.WriteError(_frame, (FrameError)control.Code, control.Reason ?? string.Empty);
                break;
        }

        Send();
    }

    private void Send()
    {
        _transport.Write(_frame.WrittenSpan);
        _metrics.FramesOut.Add(1);
        _metrics.BytesOut.Add(_frame.WrittenCount);
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "connection {ConnectionId} ended: {Reason}")]
    private static partial void LogEnded(ILogger logger, string connectionId, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "closing connection {ConnectionId}: idle past the timeout")]
    private static partial void LogIdle(ILogger logger, string connectionId);

    private readonly record struct Control(FrameType Type, ulong First, ulong Second, byte Code)
    {
        public string? Reason { get; init; }

        public byte[]? Frame { get; init; }
    }
}
