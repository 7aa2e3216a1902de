using System.Buffers;
using System.Net.WebSockets;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Transports;

/// <summary>Relay frames as WebSocket binary messages (TLS in production; no Noise layer here), for the gateway and for clients.</summary>
public sealed class WebSocketFrameTransport : IFrameTransport
{
    private readonly WebSocket _socket;
    private readonly byte[] _receive;
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private readonly List<int> _frameEnds = [];
    private int _closed;

    /// <summary>Wraps an open WebSocket; messages over <paramref name="maxMessageBytes"/> are refused.</summary>
    public WebSocketFrameTransport(WebSocket socket, int maxMessageBytes)
    {
        _socket = socket;
        _receive = ArrayPool<byte>.Shared.Rent(maxMessageBytes);
        MaxMessageBytes = maxMessageBytes;
    }

    /// <summary>The largest message accepted.</summary>
    public int MaxMessageBytes { get; }

    /// <inheritdoc />
    public async ValueTask<(ReadOnlySequence<byte> Frame, bool IsCompleted)> ReadAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == MaxMessageBytes)
            {
                throw new WebSocketFrameException(FrameError.EnvelopeTooLarge, WebSocketCloseStatus.MessageTooBig, $"a WebSocket message over {MaxMessageBytes} bytes");
            }

            var result = await _socket.ReceiveAsync(_receive.AsMemory(length, MaxMessageBytes - length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (ReadOnlySequence<byte>.Empty, true);
            }

            if (result.MessageType != WebSocketMessageType.Binary)
            {
                throw new WebSocketFrameException(FrameError.ProtocolViolation, WebSocketCloseStatus.InvalidMessageType, "a text WebSocket message; frames are binary");
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return (new ReadOnlySequence<byte>(_receive, 0, length), false);
            }
        }
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> frame)
    {
        _pending.Write(frame);
        _frameEnds.Add(_pending.WrittenCount);
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var start = 0;
        foreach (var end in _frameEnds)
        {
            await _socket.SendAsync(_pending.WrittenMemory[start..end], WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            start = end;
        }

        _frameEnds.Clear();
        _pending.ResetWrittenCount();
    }

    /// <inheritdoc />
    public async ValueTask CloseAsync(FrameError error, CancellationToken cancellationToken)
    {
        // Idempotent: the receive buffer goes back to the pool exactly once.
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        var status = error switch
        {
            FrameError.ProtocolViolation => WebSocketCloseStatus.InvalidMessageType,
            FrameError.EnvelopeTooLarge => WebSocketCloseStatus.MessageTooBig,
            FrameError.None or FrameError.ShuttingDown => WebSocketCloseStatus.NormalClosure,
            _ => WebSocketCloseStatus.PolicyViolation,
        };
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await _socket.CloseOutputAsync(status, error.ToString(), cancellationToken).ConfigureAwait(false);
        }

        ArrayPool<byte>.Shared.Return(_receive);
    }
}

/// <summary>A WebSocket message that breaks the rules (text, oversized), with the close status it is answered with.</summary>
/// <param name="error">The frame error.</param>
/// <param name="status">The WebSocket close status.</param>
/// <param name="message">What was wrong.</param>
public sealed class WebSocketFrameException(FrameError error, WebSocketCloseStatus status, string message) : Exception(message)
{
    /// <summary>The frame error.</summary>
    public FrameError Error { get; } = error;

    /// <summary>The WebSocket close status.</summary>
    public WebSocketCloseStatus Status { get; } = status;
}
