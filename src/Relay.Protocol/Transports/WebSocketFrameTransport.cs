using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Transports;

/// <summary>
/// Relay frames as WebSocket binary messages (TLS in production; no Noise layer here), for the
/// gateway and for clients. The receive buffer is rented when a message starts arriving and
/// returned at the next read, so an idle connection holds none. Only the reader touches it: a
/// close from another thread while a read is under way must not hand it back to the pool.
/// </summary>
public sealed class WebSocketFrameTransport : IFrameTransport
{
    private const int FirstBufferBytes = 4096;
    private readonly WebSocket _socket;
    private byte[]? _receive;
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private readonly List<int> _frameEnds = [];
    private int _closed;

    /// <summary>Wraps an open WebSocket; messages over <paramref name="maxMessageBytes"/> are refused.</summary>
    public WebSocketFrameTransport(WebSocket socket, int maxMessageBytes)
    {
        _socket = socket;
        MaxMessageBytes = maxMessageBytes;
    }

    /// <summary>The largest message accepted.</summary>
    public int MaxMessageBytes { get; }

    /// <inheritdoc />
    /// <remarks>Pooled state machines, here and below: a read loop waits here between messages (see <see cref="NoiseFrameTransport.ReadAsync"/>).</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(ReadOnlySequence<byte> Frame, bool IsCompleted)> ReadAsync(CancellationToken cancellationToken)
    {
        ReturnReceiveBuffer(); // the previous frame was valid until this read

        // Wait for the next message without a buffer: a zero-byte receive completes once data is there.
        var peek = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        if (peek.MessageType == WebSocketMessageType.Close)
        {
            return (ReadOnlySequence<byte>.Empty, true);
        }

        _receive = ArrayPool<byte>.Shared.Rent(Math.Min(FirstBufferBytes, MaxMessageBytes));
        try
        {
            return await ReceiveMessageAsync(peek, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ReturnReceiveBuffer();
            throw;
        }
    }

    // Reads the rest of the message whose start `peek` announced into the rented buffer, growing it as needed.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(ReadOnlySequence<byte> Frame, bool IsCompleted)> ReceiveMessageAsync(ValueWebSocketReceiveResult peek, CancellationToken cancellationToken)
    {
        var buffer = _receive!;
        var length = 0;
        var result = peek;
        while (true)
        {
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (ReadOnlySequence<byte>.Empty, true);
            }

            if (result.MessageType != WebSocketMessageType.Binary)
            {
                throw new WebSocketFrameException(FrameError.ProtocolViolation, WebSocketCloseStatus.InvalidMessageType, "a text WebSocket message; frames are binary");
            }

            if (result.EndOfMessage)
            {
                return (new ReadOnlySequence<byte>(buffer, 0, length), false);
            }

            if (length == Math.Min(buffer.Length, MaxMessageBytes))
            {
                if (length >= MaxMessageBytes)
                {
                    throw new WebSocketFrameException(FrameError.EnvelopeTooLarge, WebSocketCloseStatus.MessageTooBig, $"a WebSocket message over {MaxMessageBytes} bytes");
                }

                buffer = Grow(buffer, length);
            }

            result = await _socket.ReceiveAsync(buffer.AsMemory(length, Math.Min(buffer.Length, MaxMessageBytes) - length), cancellationToken).ConfigureAwait(false);
            length += result.Count;
        }
    }

    // Doubles the rented buffer (up to the message limit), keeping what arrived so far.
    private byte[] Grow(byte[] buffer, int length)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxMessageBytes));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        _receive = larger;
        return larger;
    }

    private void ReturnReceiveBuffer()
    {
        if (_receive is { } buffer)
        {
            _receive = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> frame)
    {
        _pending.Write(frame);
        _frameEnds.Add(_pending.WrittenCount);
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
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
    /// <remarks>A WebSocket cannot say what has arrived without waiting: the caller closes (the close handshake) and reads until the peer's close.</remarks>
    public bool TryDrainInput() => false;

    /// <inheritdoc />
    public async ValueTask CloseAsync(FrameError error, CancellationToken cancellationToken)
    {
        // Idempotent. The receive buffer stays with the reader (see the class summary).
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
