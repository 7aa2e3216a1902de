using System.IO.Pipelines;
using System.Net.Sockets;

namespace Perf.Load.Net;

/// <summary>
/// A duplex pipe over one socket of a <see cref="DirectSockets"/> set, for protocol code written
/// against pipes (the Noise channel): input is written by the receive thread and its reader's
/// continuation runs inline on that thread; output is sent by the thread that flushes. No
/// backpressure on input: the generator reads everything it is sent.
/// </summary>
public sealed class DirectPipe : IDuplexPipe, IDirectReceiver, IAsyncDisposable
{
    private readonly Pipe _input = new(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 0, useSynchronizationContext: false));
    private readonly DirectSocket _socket;
    private readonly Writer _output;

    /// <summary>Adds <paramref name="socket"/> (connected) to <paramref name="sockets"/> with this pipe as its receiver.</summary>
    /// <param name="sockets">The set that reads it.</param>
    /// <param name="socket">The connected socket.</param>
    /// <param name="readBytesPerSecond">Read the socket at most this fast (a slow consumer); 0: as fast as it comes.</param>
    public DirectPipe(DirectSockets sockets, Socket socket, double readBytesPerSecond = 0)
    {
        ArgumentNullException.ThrowIfNull(sockets);
        _socket = sockets.Add(socket, this, readBytesPerSecond);
        _output = new Writer(_socket);
    }

    /// <summary>
    /// Ends what this side sends (a FIN) and keeps reading, now at full speed: a client that leaves
    /// gracefully reads what its peer still sends until the peer closes too (a slow consumer would
    /// otherwise take minutes over what the peer had already sent).
    /// </summary>
    public void CloseOutput()
    {
        ReadAtFullSpeed();
        _output.Complete();
    }

    /// <summary>Lifts the read limit (a slow consumer that catches up): reads go as fast as data comes from now on.</summary>
    public void ReadAtFullSpeed() => _socket.LimitReads(0);

    /// <inheritdoc />
    public PipeReader Input => _input.Reader;

    /// <inheritdoc />
    public PipeWriter Output => _output;

    /// <inheritdoc />
    void IDirectReceiver.Received(ReadOnlySpan<byte> data)
    {
        var writer = _input.Writer;
        data.CopyTo(writer.GetSpan(data.Length));
        writer.Advance(data.Length);
        // Completes at once (no pause threshold); the reader's continuation runs here.
        _ = writer.FlushAsync();
    }

    /// <inheritdoc />
    void IDirectReceiver.Closed() => _input.Writer.Complete();

    /// <summary>Closes the socket (its slot in the set is freed).</summary>
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    // Buffers what is written and sends it from the flushing thread.
    private sealed class Writer(DirectSocket socket) : PipeWriter
    {
        private byte[] _buffer = new byte[4096];
        private int _written;

        public override void Advance(int bytes) => _written += bytes;

        public override Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_written);

        public override Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_written);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            var send = socket.SendAsync(_buffer.AsSpan(0, _written));
            _written = 0;
            return send.IsCompletedSuccessfully ? new ValueTask<FlushResult>(default(FlushResult)) : AwaitAsync(send);
        }

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
            try
            {
                socket.Socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already closed.
            }
        }

        private static async ValueTask<FlushResult> AwaitAsync(ValueTask send)
        {
            await send.ConfigureAwait(false);
            return default;
        }

        private byte[] Reserve(int sizeHint)
        {
            var needed = _written + Math.Max(sizeHint, 256);
            if (needed > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(needed, 2 * _buffer.Length));
            }

            return _buffer;
        }
    }
}
