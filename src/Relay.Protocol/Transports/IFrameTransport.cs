using System.Buffers;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Transports;

/// <summary>
/// Carries whole relay frames, one per transport message: a Noise channel over TCP, or
/// WebSocket binary messages. One reader and one writer at a time.
/// </summary>
public interface IFrameTransport
{
    /// <summary>The next frame's bytes, valid until the next read; <c>IsCompleted</c> when the peer closed cleanly (or a drain found nothing more).</summary>
    ValueTask<(ReadOnlySequence<byte> Frame, bool IsCompleted)> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Queues one frame.</summary>
    void Write(ReadOnlySpan<byte> frame);

    /// <summary>Sends what was queued; completes when the transport took it (backpressure).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>Closes the connection because of <paramref name="error"/> (after any ERROR frame was flushed).</summary>
    ValueTask CloseAsync(FrameError error, CancellationToken cancellationToken);

    /// <summary>
    /// For a shutdown: makes the reads that follow return the frames that have already arrived and
    /// then <c>IsCompleted</c>, without waiting for more. Returns <c>false</c> when the transport
    /// cannot tell what has arrived (WebSocket): the peer must then be asked to close, and reads go
    /// on until its close arrives.
    /// </summary>
    bool TryDrainInput();
}
