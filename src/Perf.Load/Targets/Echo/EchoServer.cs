using System.Net;
using System.Net.Sockets;
using Perf.Load.Net;
using Perf.Load.Os;

namespace Perf.Load.Targets.Echo;

/// <summary>
/// The loopback floor: a TCP server that writes every byte it reads back to the same connection,
/// with no parsing and no crypto, built like the native floor in <c>tools/native-echo</c>: one
/// thread accepts, one thread waits on epoll for every connection and writes each arrival straight
/// back (<see cref="DirectSockets"/>). Whatever latency a run through it shows is the cost of the
/// generator and the kernel's loopback, below which no relay can go; its CPU per message is the
/// least a server pays for a read and a write.
/// </summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly DirectSockets _connections;
    private readonly Thread _acceptor;
    private volatile bool _stopping;

    private EchoServer(Socket listener, DirectSockets connections)
    {
        _listener = listener;
        _connections = connections;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptor = new Thread(AcceptLoop) { IsBackground = true, Name = "perf echo accept" };
    }

    /// <summary>The bound endpoint (the real port when asked for port 0).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Starts listening on <paramref name="endPoint"/> (port 0 picks a free port).</summary>
    /// <exception cref="IOException">The endpoint cannot be bound.</exception>
    public static Task<EchoServer> StartAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        cancellationToken.ThrowIfCancellationRequested();
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endPoint);
            listener.Listen(4096);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw new IOException($"cannot listen on {endPoint}: {ex.Message}", ex);
        }

        // As many connections as this process may open (idle-connection runs hold many).
        var capacity = (int)Math.Clamp(OpenFileLimit.HardLimit() ?? 65_536, 1_024, 1 << 20);
        var server = new EchoServer(listener, new DirectSockets(capacity));
        server._connections.Start();
        server._acceptor.Start();
        return Task.FromResult(server);
    }

    /// <summary>Stops accepting and closes every connection.</summary>
    public ValueTask DisposeAsync()
    {
        _stopping = true;
        _listener.Dispose();
        _acceptor.Join();
        _connections.Dispose();
        return ValueTask.CompletedTask;
    }

    private void AcceptLoop()
    {
        while (!_stopping)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                if (_stopping)
                {
                    return;
                }

                // Out of descriptors or a connection reset before it was accepted: keep serving the others.
                Thread.Sleep(10);
                continue;
            }

            client.NoDelay = true;
            try
            {
                _connections.Add(client, new EchoBack(client));
            }
            catch (InvalidOperationException)
            {
                client.Dispose(); // full
            }
        }
    }

    // Writes what arrives straight back; a send the socket could not take whole is finished
    // asynchronously, and what arrives meanwhile queues behind it so the order holds.
    private sealed class EchoBack(Socket socket) : IDirectReceiver
    {
        private readonly object _lock = new();
        private DirectSocket? _direct;
        private Task? _pending;

        // Given by the set before the socket can report input: an echo that arrives at once
        // (the client writes as soon as it connects) found no socket to answer on.
        public void Attached(DirectSocket socket) => _direct = socket;

        public void Received(ReadOnlySpan<byte> data)
        {
            lock (_lock)
            {
                if (_pending is { IsCompleted: false } pending)
                {
                    var copy = data.ToArray();
                    _pending = pending.ContinueWith(_ => _direct!.SendAsync(copy).AsTask(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
                    return;
                }

                var send = _direct!.SendAsync(data);
                _pending = send.IsCompletedSuccessfully ? null : send.AsTask();
            }
        }

        public void Closed() => socket.Dispose();
    }
}
