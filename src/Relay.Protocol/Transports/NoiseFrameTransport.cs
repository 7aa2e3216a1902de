using System.Buffers;
using System.IO.Pipelines;
using Relay.Crypto.Noise.Framing;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Transports;

/// <summary>Relay frames as Noise transport messages over a connection's pipes (a Kestrel connection or a client socket).</summary>
/// <param name="channel">The established Noise channel.</param>
/// <param name="output">The connection's output, completed on close.</param>
public sealed class NoiseFrameTransport(NoiseChannel channel, PipeWriter output) : IFrameTransport
{
    /// <inheritdoc />
    public async ValueTask<(ReadOnlySequence<byte> Frame, bool IsCompleted)> ReadAsync(CancellationToken cancellationToken)
    {
        var message = await channel.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (new ReadOnlySequence<byte>(message.Payload), message.IsCompleted);
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> frame) => channel.Write(frame);

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken) => await channel.FlushAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask CloseAsync(FrameError error, CancellationToken cancellationToken) => await output.CompleteAsync().ConfigureAwait(false);
}
