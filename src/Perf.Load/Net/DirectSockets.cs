using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Perf.Load.Os;

namespace Perf.Load.Net;

/// <summary>
/// Sockets without thread hops, for the generator's clients and the echo floor's server. Input:
/// one dedicated thread waits on Linux epoll for every socket of the set and hands the bytes to
/// the socket's receiver on that same thread, so an arrival is handled (timestamped, echoed) when
/// the kernel hands it over, not after a thread-pool worker has woken (each wake-up is a context
/// switch, and on a busy 2-core machine a wait for a core). Output: the caller's thread writes
/// straight to the non-blocking socket and falls back to an asynchronous send only when the
/// socket buffer is full. A closed socket's slot is reused. Off Linux, each socket gets an
/// asynchronous receive loop instead (one thread-pool hop per read).
/// </summary>
public sealed class DirectSockets : IDisposable
{
    private const int ReceiveBufferBytes = 256 * 1024;
    private const ulong TimerEvent = ulong.MaxValue;

    private readonly DirectSocket?[] _sockets;
    private readonly int[] _generations;
    private readonly System.Collections.Concurrent.ConcurrentStack<int> _free = new();
    private readonly int _epoll = -1;
    private readonly int _timer = -1;
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferBytes, pinned: true);
    private readonly object _pumpLock = new();
    private readonly object _addLock = new();
    private readonly List<DirectSocket> _paused = [];
    private int _count;
    private Thread? _thread;
    private volatile bool _started;
    private volatile bool _stopping;
    private bool _disposedFromLoop;
    private int _descriptorsClosed;
    private bool _callerPumps;
    private bool _threadParked;

    /// <summary>Creates an empty set for at most <paramref name="capacity"/> sockets.</summary>
    public DirectSockets(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _sockets = new DirectSocket?[capacity];
        _generations = new int[capacity];
        if (UsesEpoll)
        {
            _epoll = LinuxNative.EpollCreate();
            _timer = LinuxNative.TimerFdCreate();
            if (_epoll < 0 || _timer < 0 || LinuxNative.EpollAddInput(_epoll, _timer, TimerEvent) != 0)
            {
                throw new IOException($"epoll/timerfd set-up failed: error {Marshal.GetLastPInvokeError()}");
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

    /// <summary>Adds a connected socket whose input goes to <paramref name="receiver"/> (before or after <see cref="Start"/>; from any thread: clients that reconnect add theirs while the run goes).</summary>
    /// <param name="socket">The connected socket.</param>
    /// <param name="receiver">Gets its input.</param>
    /// <param name="readBytesPerSecond">Read it at most this fast from the first read on (a slow consumer, <see cref="DirectSocket.LimitReads"/>); 0: as fast as it comes.</param>
    /// <exception cref="InvalidOperationException">The set is full.</exception>
    public DirectSocket Add(Socket socket, IDirectReceiver receiver, double readBytesPerSecond = 0)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(receiver);
        int index;
        lock (_addLock)
        {
            if (!_free.TryPop(out index))
            {
                if (_count == _sockets.Length)
                {
                    throw new InvalidOperationException($"this set holds {_sockets.Length} sockets.");
                }

                index = _count++;
            }
        }

        socket.Blocking = false;
        var generation = ++_generations[index];
        var direct = new DirectSocket(this, socket, receiver, index, generation);
        direct.LimitReads(readBytesPerSecond);
        receiver.Attached(direct); // before the first arrival can be handed to it
        Volatile.Write(ref _sockets[index], direct);
        if (!UsesEpoll)
        {
            if (_started)
            {
                _ = direct.ReceiveLoopAsync();
            }
        }
        else if (LinuxNative.EpollAddInput(_epoll, direct.Descriptor, (ulong)(uint)index | ((ulong)(uint)generation << 32)) != 0)
        {
            throw new IOException($"epoll_ctl failed: error {Marshal.GetLastPInvokeError()}");
        }

        return direct;
    }

    // A closed socket leaves the epoll set and frees its slot for the next one.
    internal void Release(DirectSocket socket)
    {
        if (UsesEpoll)
        {
            LinuxNative.EpollRemove(_epoll, socket.Descriptor);
        }

        if (Interlocked.CompareExchange(ref _sockets[socket.Index], null, socket) == socket)
        {
            _free.Push(socket.Index);
        }
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
                _ = _sockets[i]?.ReceiveLoopAsync();
            }

            return;
        }

        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "perf load receiver", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>
    /// Hands the reading to the calling thread until the returned handle is disposed: the receive
    /// thread parks, and the caller reads in <see cref="PumpUntil"/> while it waits for its next
    /// send, as the native floor's single thread does. One thread then both sends and receives,
    /// so no two of the generator's threads compete for a core (a woken thread waiting behind
    /// another for a scheduler time slice was the echo floor's ~2 ms p99). Linux (epoll) only;
    /// elsewhere the handle does nothing and <see cref="PumpUntil"/> just sleeps.
    /// </summary>
    public IDisposable CallerPumps()
    {
        if (!UsesEpoll)
        {
            return new PumpHandle(null);
        }

        lock (_pumpLock)
        {
            _callerPumps = true;
            while (_thread is not null && !_threadParked && !_stopping)
            {
                Monitor.Wait(_pumpLock);
            }
        }

        return new PumpHandle(this);
    }

    /// <summary>Reads arrivals on the calling thread (after <see cref="CallerPumps"/>) until the Stopwatch time <paramref name="dueTicks"/>.</summary>
    public void PumpUntil(long dueTicks)
    {
        if (!UsesEpoll)
        {
            Engine.PreciseWait.Until(dueTicks);
            return;
        }

        Span<ulong> ready = stackalloc ulong[64];
        if (System.Diagnostics.Stopwatch.GetTimestamp() >= dueTicks)
        {
            // Behind schedule: read what has arrived anyway (without waiting), or a scheduling
            // thread that stays busy sending would leave arrivals unread for milliseconds.
            var arrived = LinuxNative.EpollWait(_epoll, ready, 0);
            Dispatch(ready[..Math.Max(0, arrived)]);
            return;
        }

        if (LinuxNative.HasEpollWaitNanoseconds)
        {
            // One system call per wait (Stopwatch ticks are CLOCK_MONOTONIC nanoseconds on Linux).
            long now;
            while ((now = System.Diagnostics.Stopwatch.GetTimestamp()) < dueTicks)
            {
                var count = LinuxNative.EpollWaitFor(_epoll, ready, dueTicks - now);
                Dispatch(ready[..Math.Max(0, count)]);
            }

            return;
        }

        LinuxNative.TimerFdSetAbsolute(_timer, dueTicks);
        while (System.Diagnostics.Stopwatch.GetTimestamp() < dueTicks)
        {
            var count = LinuxNative.EpollWait(_epoll, ready, 50);
            Dispatch(ready[..Math.Max(0, count)]);
        }
    }

    /// <summary>Stops reading (the sockets belong to their owners).</summary>
    public void Dispose()
    {
        _stopping = true;
        lock (_pumpLock)
        {
            Monitor.PulseAll(_pumpLock);
        }

        // A run that fails inside a continuation of this set's own receive thread (a connect that
        // completed on it, then a start gate that refused) disposes the set from that thread: joining
        // would wait for itself forever, so the loop closes the descriptors as it returns.
        if (_thread is { } thread && thread == Thread.CurrentThread)
        {
            _disposedFromLoop = true;
            return;
        }

        _thread?.Join();
        CloseDescriptors();
    }

    // Once: the receive loop and a later Dispose may both get here.
    private void CloseDescriptors()
    {
        if (_epoll >= 0 && Interlocked.Exchange(ref _descriptorsClosed, 1) == 0)
        {
            LinuxNative.Close(_epoll);
            LinuxNative.Close(_timer);
        }
    }

    private void ReceiveLoop()
    {
        Span<ulong> ready = stackalloc ulong[64];
        while (!_stopping)
        {
            lock (_pumpLock)
            {
                if (_callerPumps)
                {
                    _threadParked = true;
                    Monitor.PulseAll(_pumpLock);
                    while (_callerPumps && !_stopping)
                    {
                        Monitor.Wait(_pumpLock);
                    }

                    _threadParked = false;
                    continue;
                }
            }

            // A timeout, so that Dispose and a caller taking over are seen; level-triggered, so a
            // socket with more than one buffer's worth comes back.
            var count = LinuxNative.EpollWait(_epoll, ready, 50);
            Dispatch(ready[..Math.Max(0, count)]);
        }

        // Disposed from this thread (inside Dispatch): nobody joined it, so it closes its own descriptors.
        if (_stopping && _disposedFromLoop)
        {
            CloseDescriptors();
        }
    }

    // A socket reading at a limited rate that used up its allowance leaves the epoll set (so level
    // triggering does not report it again and again) until its allowance has grown back.
    internal void Pause(DirectSocket socket, long resumeAtTicks)
    {
        if (!UsesEpoll)
        {
            return;
        }

        LinuxNative.EpollRemove(_epoll, socket.Descriptor);
        socket.ResumeAtTicks = resumeAtTicks;
        _paused.Add(socket);
    }

    // Called by the reading thread before each batch: paused sockets whose time has come rejoin
    // the set (a closed one stays out). Waits are at most 50 ms, so a rate is kept to within that.
    private void ResumeDue()
    {
        if (_paused.Count == 0)
        {
            return;
        }

        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = _paused.Count - 1; i >= 0; i--)
        {
            var socket = _paused[i];
            if (socket.ResumeAtTicks > now)
            {
                continue;
            }

            _paused.RemoveAt(i);
            if (!socket.IsClosed)
            {
                LinuxNative.EpollAddInput(_epoll, socket.Descriptor, (ulong)(uint)socket.Index | ((ulong)(uint)socket.Generation << 32));
            }
        }
    }

    private void Dispatch(ReadOnlySpan<ulong> ready)
    {
        ResumeDue();
        foreach (var data in ready)
        {
            if (data == TimerEvent)
            {
                LinuxNative.TimerFdClear(_timer);
                continue;
            }

            // A socket closed since this batch was reported, and its slot perhaps reused, is skipped.
            var socket = Volatile.Read(ref _sockets[(int)(uint)data]);
            if (socket is not null && socket.Generation == (int)(data >> 32))
            {
                socket.ReadOnce(_buffer);
            }
        }
    }

    private void EndCallerPumps()
    {
        lock (_pumpLock)
        {
            _callerPumps = false;
            Monitor.PulseAll(_pumpLock);
        }
    }

    private sealed class PumpHandle(DirectSockets? owner) : IDisposable
    {
        public void Dispose() => owner?.EndCallerPumps();
    }
}

/// <summary>Gets a socket's input, on the receive thread.</summary>
public interface IDirectReceiver
{
    /// <summary>The socket this receiver reads from, given before any input arrives (to answer on it).</summary>
    void Attached(DirectSocket socket)
    {
    }

    /// <summary>Bytes arrived (valid only during the call).</summary>
    void Received(ReadOnlySpan<byte> data);

    /// <summary>The peer closed the connection or it failed; no more calls follow.</summary>
    void Closed();
}

/// <summary>One socket of a <see cref="DirectSockets"/> set.</summary>
public sealed class DirectSocket : IDisposable
{
    private readonly DirectSockets _owner;
    private readonly IDirectReceiver _receiver;
    private int _closed;
    private double _readBytesPerSecond;
    private double _allowance;
    private long _allowanceAt;

    internal DirectSocket(DirectSockets owner, Socket socket, IDirectReceiver receiver, int index, int generation)
    {
        _owner = owner;
        Socket = socket;
        _receiver = receiver;
        Index = index;
        Generation = generation;
        Descriptor = (int)socket.Handle;
    }

    /// <summary>The socket.</summary>
    public Socket Socket { get; }

    internal int Index { get; }

    internal int Generation { get; }

    internal int Descriptor { get; }

    internal long ResumeAtTicks { get; set; }

    internal bool IsClosed => Volatile.Read(ref _closed) != 0 || Socket.SafeHandle.IsClosed;

    /// <summary>
    /// From now on reads at most <paramref name="bytesPerSecond"/> bytes a second (a slow consumer;
    /// 0: no limit), in bursts of at most a quarter of a second's worth. The socket's receive buffer
    /// is left to the kernel: shrunk to the rate, its window on loopback (64 KiB segments) opened so
    /// rarely that the peer fell into zero-window probing with backoff, and the socket was read ten
    /// times slower than its rate. What the peer may have in flight is its own bound to keep (the
    /// relay's cap on unacknowledged DELIVERs).
    /// </summary>
    internal void LimitReads(double bytesPerSecond)
    {
        if (!double.IsFinite(bytesPerSecond) || bytesPerSecond < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), bytesPerSecond, "bytes a second, at least 0");
        }

        _readBytesPerSecond = bytesPerSecond;
        _allowance = 0;
        _allowanceAt = System.Diagnostics.Stopwatch.GetTimestamp();
    }

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

    // A false return means the socket is closed and has left the set.
    internal bool ReadOnce(byte[] buffer)
    {
        var limit = buffer.Length;
        if (_readBytesPerSecond > 0)
        {
            limit = Allowance(buffer.Length);
            if (limit == 0)
            {
                return true; // paused until its allowance grows back
            }
        }

        int read;
        SocketError error;
        try
        {
            read = Socket.Receive(buffer, 0, limit, SocketFlags.None, out error);
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

        if (_readBytesPerSecond > 0)
        {
            _allowance -= read;
        }

        _receiver.Received(buffer.AsSpan(0, read));
        return true;
    }

    // Bytes this rate-limited socket may read now; with none, it is paused until one whole
    // kilobyte (or its burst, if smaller) has grown back.
    private int Allowance(int most)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var burst = Math.Max(256, _readBytesPerSecond / 4);
        _allowance = Math.Min(burst, _allowance + ((now - _allowanceAt) * _readBytesPerSecond / System.Diagnostics.Stopwatch.Frequency));
        _allowanceAt = now;
        if (_allowance >= 1)
        {
            return (int)Math.Min(most, _allowance);
        }

        var wanted = Math.Min(1024, burst) - _allowance;
        _owner.Pause(this, now + (long)(wanted / _readBytesPerSecond * System.Diagnostics.Stopwatch.Frequency));
        return 0;
    }

    internal async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var most = buffer.Length;
                if (_readBytesPerSecond > 0)
                {
                    // Off Linux, a rate-limited socket waits out its pause here.
                    while ((most = Allowance(buffer.Length)) == 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(Math.Min(1024, _readBytesPerSecond / 4) / _readBytesPerSecond)).ConfigureAwait(false);
                    }
                }

                var read = await Socket.ReceiveAsync(buffer.AsMemory(0, most), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                if (_readBytesPerSecond > 0)
                {
                    _allowance -= read;
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

    /// <summary>
    /// Closes the socket from this side: it leaves the set (its slot free for the next one) before
    /// its descriptor is closed, and the receiver hears <see cref="IDirectReceiver.Closed"/> once.
    /// </summary>
    public void Dispose()
    {
        Close();
        Socket.Dispose();
    }

    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _owner.Release(this);
            _receiver.Closed();
        }
    }
}
