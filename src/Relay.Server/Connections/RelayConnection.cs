using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;
using Relay.Server.Metrics;
using Relay.Protocol.Transports;

namespace Relay.Server.Connections;

/// <summary>
/// One authenticated client connection, whatever its transport. The read loop parses frames
/// and applies them (SEND, ACK, PING); the write loop is the only writer: it sends the answers
/// and pulls held messages past its cursor, flushing after each batch so that a slow reader
/// holds the loop (and nothing else) at the pipe's pause threshold, while its messages wait,
/// bounded, in its mailbox. A bad frame gets an ERROR frame and closes this connection only.
/// </summary>
internal sealed class RelayConnection : ISubscriber
{
    private const int Batch = 64;

    private readonly Identity _identity;
    private readonly IFrameTransport _transport;
    private readonly RelayRouter _router;
    private readonly RelayMetrics _metrics;
    private readonly FrameLimits _limits;
    private readonly ILogger _logger;
    private readonly SmallQueue<Control> _control = new();
    private readonly WakeSignal _wake = new();
    private readonly ArrayBufferWriter<byte> _frame = new(); // grows on first use: an idle connection holds no frame buffer
    private int _wakePending;
    private volatile bool _closing;

    public RelayConnection(Identity identity, IFrameTransport transport, RelayRouter router, RelayMetrics metrics, FrameLimits limits, ILogger logger)
    {
        _identity = identity;
        _transport = transport;
        _router = router;
        _metrics = metrics;
        _limits = limits;
        _logger = logger;
    }

    public void MessagesAvailable()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _wake.Release();
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _metrics.Connections.Add(1);
        _router.Attach(_identity, this);
        var writer = WriteLoopAsync(stop.Token);
        try
        {
            await ReadLoopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (WebSocketFrameException ex)
        {
            _logger.LogInformation("closing {Identity}: {Reason}", _identity, ex.Message);
            Close(ex.Error, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or Crypto.Noise.NoiseException or System.Net.WebSockets.WebSocketException)
        {
            _logger.LogInformation("connection of {Identity} ended: {Reason}", _identity, ex.Message);
        }
        finally
        {
            _router.Detach(_identity, this);
            _closing = true;
            MessagesAvailable();
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException or System.Net.WebSockets.WebSocketException)
            {
                // The peer is gone; what it did not ACK stays held for its next connection.
            }

            _metrics.Connections.Add(-1);
            stop.Cancel();
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        while (!_closing)
        {
            var (bytes, completed) = await _transport.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (completed)
            {
                return;
            }

            _metrics.FramesIn.Add(1);
            _metrics.BytesIn.Add(bytes.Length);
            var error = FrameCodec.TryRead(bytes, _limits, out var frame);
            if (error != FrameError.None)
            {
                Refuse(error, $"malformed frame ({error})");
                return;
            }

            switch (frame.Type)
            {
                case FrameType.Send:
                    var outcome = _router.Send(_identity, frame.Identity, frame.Envelope);
                    (outcome.IsAccepted ? _metrics.Accepted : _metrics.Rejected).Add(1);
                    _control.Enqueue(outcome.IsAccepted
                        ? new Control(FrameType.Accepted, frame.ClientMessageId, outcome.RelayMessageId, 0)
                        : new Control(FrameType.Rejected, frame.ClientMessageId, 0, (byte)outcome.Reason));
                    MessagesAvailable();
                    break;
                case FrameType.Ack:
                    _router.Ack(_identity, frame.RelayMessageId);
                    break;
                case FrameType.Ping:
                    _control.Enqueue(new Control(FrameType.Pong, frame.ClientMessageId, 0, 0));
                    MessagesAvailable();
                    break;
                case FrameType.Pong:
                    break;
                default:
                    Refuse(FrameError.UnexpectedType, $"a client may not send {frame.Type}");
                    return;
            }
        }
    }

    private void Refuse(FrameError error, string reason)
    {
        _logger.LogInformation("closing {Identity}: {Reason}", _identity, reason);
        Close(error, reason);
    }

    private void Close(FrameError error, string reason)
    {
        _control.Enqueue(new Control(FrameType.Error, 0, 0, (byte)error) { Reason = reason });
        _closing = true;
        MessagesAvailable();
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        HeldMessage?[]? batch = null;
        ulong cursor = 0;
        while (true)
        {
            // The batch is rented only while awake: a waiting connection holds none.
            if (batch is not null)
            {
                ArrayPool<HeldMessage?>.Shared.Return(batch);
            }

            await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
            batch = ArrayPool<HeldMessage?>.Shared.Rent(Batch);
            Volatile.Write(ref _wakePending, 0);
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

            while (!_closing)
            {
                var count = _router.TakePending(_identity, cursor, batch);
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
                if (count < Batch)
                {
                    break;
                }
            }

            if (_closing && _control.IsEmpty)
            {
                return;
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

    private readonly record struct Control(FrameType Type, ulong First, ulong Second, byte Code)
    {
        public string? Reason { get; init; }
    }
}
