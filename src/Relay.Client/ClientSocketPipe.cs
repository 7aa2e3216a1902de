using System.IO.Pipelines;
using System.Net.Sockets;

namespace Relay.Client;

/// <summary>
/// A connected TCP socket as a duplex pipe, closed the way TCP keeps data: what was written goes
/// out, then FIN, then what the relay still sends is read and dropped until it closes too. Closing
/// a socket while answers sit unread in its receive buffer makes the OS send a reset instead of
/// FIN; the reset discards what this side had not yet transmitted and what the relay had not yet
/// read, so SENDs written just before a close would be lost. (Kestrel's socket connection, used
/// here before, closes that way: it shuts down both directions and disposes the socket at once.)
/// </summary>
internal sealed class ClientSocketPipe : IDuplexPipe, IAsyncDisposable
{
    private const int MinimumReadSize = 4096;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly Pipe _input = new(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
    private readonly NetworkStream _stream;
    private readonly Task _receiving;
    private volatile bool _discarding;
    private int _disposed;

    public ClientSocketPipe(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        // Writes go to the socket when flushed, on the flushing thread: a completed flush means the
        // kernel has the bytes, so FIN (below) can only follow them.
        Output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        _receiving = ReceiveAsync();
    }

    /// <inheritdoc />
    public PipeReader Input => _input.Reader;

    /// <inheritdoc />
    public PipeWriter Output { get; }

    /// <summary>Sends what was written, then FIN; drops the relay's remaining bytes until it closes (at most 2 s); then closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await Output.CompleteAsync().ConfigureAwait(false); // flushes what is still buffered
            _socket.Shutdown(SocketShutdown.Send);
            // The receive loop drops from here on (a reader may still be waiting on the pipe, so
            // this side cannot read it itself); a flush held by a full pipe lets go.
            _discarding = true;
            _input.Writer.CancelPendingFlush();
            await _receiving.WaitAsync(DrainTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or TimeoutException)
        {
            // The relay reset the connection, or did not close in time.
        }

        _socket.Dispose(); // ends the receive loop if it still runs
        await _receiving.ConfigureAwait(false);
        // The reader is left to its owner: a read loop still running sees the end of input
        // (the receive loop completed the pipe) rather than a pipe completed under it.
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    // Kestrel's socket connections read the same way: the socket is read as soon as data
    // arrives (up to the pipe's pause threshold), whether or not a frame is being awaited.
    // Once closing (or once nobody reads the pipe), bytes are received and dropped until the
    // relay's FIN, so the socket never closes with unread data.
    private async Task ReceiveAsync()
    {
        await Task.Yield(); // the constructor returns first
        Exception? error = null;
        var writer = _input.Writer;
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(writer.GetMemory(MinimumReadSize), SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }

                if (_discarding)
                {
                    continue; // never advanced: the next receive overwrites it
                }

                writer.Advance(received);
                var flushed = await writer.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    _discarding = true;
                }
            }
        }
        catch (SocketException) when (Volatile.Read(ref _disposed) != 0)
        {
            // Closed by DisposeAsync after its drain gave up: the end of input, not a failure.
        }
        catch (SocketException ex)
        {
            error = new IOException($"the connection to the relay broke: {ex.Message}", ex);
        }
        catch (ObjectDisposedException)
        {
            // Closed by DisposeAsync.
        }

        await writer.CompleteAsync(error).ConfigureAwait(false);
    }
}
