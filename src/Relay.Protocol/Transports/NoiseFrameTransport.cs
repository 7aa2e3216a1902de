using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Relay.Crypto.Noise;
using Relay.Crypto.Noise.Framing;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Transports;

/// <summary>Relay frames as Noise transport messages over a connection's pipes (a Kestrel connection or a client socket).</summary>
/// <param name="channel">The established Noise channel.</param>
/// <param name="pipe">The connection's pipes: the output is completed on close, the input's pending read cancelled by a drain.</param>
public sealed class NoiseFrameTransport(NoiseChannel channel, IDuplexPipe pipe) : IFrameTransport
{
    private volatile bool _draining;

    /// <inheritdoc />
    /// <remarks>
    /// Its state machine comes from a pool: a read loop waits here between messages, and a fresh
    /// one per suspended read was 200 bytes per message, the relay's only steady allocation
    /// (a gen-0 collection every ~2 s at 5,000 msgs/s).
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(ReadOnlySequence<byte> Frame, bool IsCompleted)> ReadAsync(CancellationToken cancellationToken)
    {
        if (_draining)
        {
            // A cancelled read returns what the pipe holds at once: a whole frame, or nothing more.
            pipe.Input.CancelPendingRead();
            try
            {
                var drained = await channel.ReadAsync(cancellationToken).ConfigureAwait(false);
                return (new ReadOnlySequence<byte>(drained.Payload), drained.IsCompleted);
            }
            catch (NoiseException ex) when (ex.Error == NoiseError.Truncated)
            {
                return (ReadOnlySequence<byte>.Empty, true); // half a frame had arrived: not a frame yet
            }
        }

        var message = await channel.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (new ReadOnlySequence<byte>(message.Payload), message.IsCompleted);
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> frame) => channel.Write(frame);

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync(CancellationToken cancellationToken) => await channel.FlushAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask CloseAsync(FrameError error, CancellationToken cancellationToken) => await pipe.Output.CompleteAsync().ConfigureAwait(false);

    /// <inheritdoc />
    public bool TryDrainInput()
    {
        _draining = true;
        pipe.Input.CancelPendingRead();
        return true;
    }
}
