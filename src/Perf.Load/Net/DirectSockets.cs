using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Perf.Load.Os;

namespace Perf.Load.Net;

/// <summary>
/// The generator's client sockets without thread hops. Input: one dedicated thread waits on
/// Linux epoll for every socket of the set and hands the bytes to the socket's receiver on that
/// same thread, so an arrival is timestamped when the kernel hands it over, not after a
/// thread-pool worker has woken (each wake-up is a context switch, and on a busy 2-core machine
/// a wait for a core). Output: the caller's thread writes straight to the non-blocking socket and
/// falls back to an asynchronous send only when the socket buffer is full. Off Linux, each
/// socket gets an asynchronous receive loop instead (one thread-pool hop per read).
/// </summary>
public sealed class DirectSockets : IDisposable
{
    private const int ReceiveBufferBytes = 256 * 1024;

    private readonly DirectSocket?[] _sockets;
    private readonly int _epoll = -1;
    private int _count;
    private Thread? _thread;
    private volatile bool _started;
    private volatile bool _stopping;

    /// <summary>Creates an empty set for at most <paramref name="capacity"/> sockets.</summary>
    public DirectSockets(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _sockets = new DirectSocket?[capacity];
        if (UsesEpoll)
        {
            _epoll = LinuxNative.EpollCreate();
            if (_epoll < 0)
            {
                throw new IOException($"epoll_create1 failed: error {Marshal.GetLastPInvokeError()}");
            }
        }
    }

    /// <summary>
    /// Connects a TCP socket without the runtime's asynchronous socket engine: a socket that ever
    /// ran an asynchronous operation is in the runtime's epoll set too, and each of its arrivals
    /// would then also wake a thread-pool worker. The connect blocks a pool thread (instant on
    /// loopback) and gives up after <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="SocketException">Refused or unreachable.</exception>
    /// <exception cref="TimeoutException">No answer in time.</exception>
    public static async Task<Socket> ConnectAsync(EndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await Task.Run(() => socket.Connect(endPoint), CancellationToken.None).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether input is read by one epoll thread (Linux x64/arm64) rather than per-socket async loops.</summary>
    public static bool UsesEpoll => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Adds a connected socket whose input goes to <paramref name="receiver"/> (before or after <see cref="Start"/>; from one thread at a time).</summary>
    /// <exception cref="InvalidOperationException">The set is full.</exception>
    public DirectSocket Add(Socket socket, IDirectReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(receiver);
        if (_count == _sockets.Length)
        {
            throw new InvalidOperationException($"this set holds {_sockets.Length} sockets.");
        }

        socket.Blocking = false;
        var direct = new DirectSocket(socket, receiver, _count);
        Volatile.Write(ref _sockets[_count++], direct);
        if (!UsesEpoll)
        {
            if (_started)
            {
                _ = direct.ReceiveLoopAsync();
            }
        }
        else if (LinuxNative.EpollAddInput(_epoll, (int)socket.Handle, (ulong)direct.Index) != 0)
        {
            throw new IOException($"epoll_ctl failed: error {Marshal.GetLastPInvokeError()}");
        }

        return direct;
    }

    /// <summary>Starts reading (once; later calls do nothing).</summary>
    public void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        if (!UsesEpoll)
        {
            for (var i = 0; i < _count; i++)
            {
                _ = _sockets[i]!.ReceiveLoopAsync();
            }

            return;
        }

        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "perf load receiver", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>Stops reading (the sockets belong to their owners).</summary>
    public void Dispose()
    {
        _stopping = true;
        _thread?.Join();
        if (_epoll >= 0)
        {
            LinuxNative.Close(_epoll);
        }
    }

    private void ReceiveLoop()
    {
        var buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferBytes, pinned: true);
        Span<ulong> ready = stackalloc ulong[64];
        while (!_stopping)
        {
            // A timeout, so that Dispose is seen; level-triggered, so a socket with more than one buffer's worth comes back.
            var count = LinuxNative.EpollWait(_epoll, ready, 50);
            for (var i = 0; i < count; i++)
            {
                var socket = Volatile.Read(ref _sockets[(int)ready[i]])!;
                if (!socket.ReadOnce(buffer))
                {
                    LinuxNative.EpollRemove(_epoll, (int)socket.Socket.Handle);
                }
            }
        }
    }
}

/// <summary>Gets a socket's input, on the receive thread.</summary>
public interface IDirectReceiver
{
    /// <summary>Bytes arrived (valid only during the call).</summary>
    void Received(ReadOnlySpan<byte> data);

    /// <summary>The peer closed the connection or it failed; no more calls follow.</summary>
    void Closed();
}

/// <summary>One socket of a <see cref="DirectSockets"/> set.</summary>
public sealed class DirectSocket
{
    private readonly IDirectReceiver _receiver;
    private int _closed;

    internal DirectSocket(Socket socket, IDirectReceiver receiver, int index)
    {
        Socket = socket;
        _receiver = receiver;
        Index = index;
    }

    /// <summary>The socket.</summary>
    public Socket Socket { get; }

    internal int Index { get; }

    /// <summary>
    /// Sends <paramref name="data"/> from the calling thread; completes synchronously unless the
    /// socket buffer is full, in which case the rest (copied) is sent asynchronously. Callers
    /// wait for a pending send before the next.
    /// </summary>
    public ValueTask SendAsync(ReadOnlySpan<byte> data)
    {
        var sent = Socket.Send(data, SocketFlags.None, out var error);
        if (error is SocketError.Success or SocketError.WouldBlock && sent == data.Length)
        {
            return ValueTask.CompletedTask;
        }

        if (error is not (SocketError.Success or SocketError.WouldBlock))
        {
            return ValueTask.FromException(new SocketException((int)error));
        }

        return SendRestAsync(data[Math.Max(0, sent)..].ToArray());
    }

    // A false return stops the reading of this socket.
    internal bool ReadOnce(byte[] buffer)
    {
        int read;
        SocketError error;
        try
        {
            read = Socket.Receive(buffer, SocketFlags.None, out error);
        }
        catch (ObjectDisposedException)
        {
            Close();
            return false;
        }

        if (error == SocketError.WouldBlock)
        {
            return true;
        }

        if (error != SocketError.Success || read == 0)
        {
            Close();
            return false;
        }

        _receiver.Received(buffer.AsSpan(0, read));
        return true;
    }

    internal async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await Socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                _receiver.Received(buffer.AsSpan(0, read));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Closed below.
        }

        Close();
    }

    private async ValueTask SendRestAsync(byte[] rest)
    {
        var offset = 0;
        while (offset < rest.Length)
        {
            offset += await Socket.SendAsync(rest.AsMemory(offset), SocketFlags.None).ConfigureAwait(false);
        }
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _receiver.Closed();
        }
    }
}
