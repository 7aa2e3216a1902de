using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Perf.Load.Engine;
using Perf.Load.Os;

namespace Perf.Load.Impairment;

/// <summary>
/// The proxy's one event-loop thread: it waits on Linux epoll for every proxied socket and, with
/// the same wait's timeout, for the next chunk due to leave (a timer heap of connections), so one
/// thread carries every connection without a thread-pool hop per chunk. Sockets are watched
/// level-triggered, for input only while their direction has room and for output only while a
/// write is blocked; a socket with nothing to wait for leaves the set. New connections arrive
/// from the accepting side through a queue and a timerfd that wakes the wait.
/// </summary>
internal sealed class ProxyLoop : IDisposable
{
    private const ulong WakeEvent = ulong.MaxValue;
    private const ulong UpstreamSide = 1UL << 63;

    // The longest wait: how soon a stop is noticed, and how often the loop samples its own CPU.
    private static readonly long SampleTicks = Stopwatch.Frequency / 10;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly ConcurrentQueue<ProxiedConnection> _incoming = new();
    private readonly List<ProxiedConnection?> _slots = [];
    private readonly List<int> _generations = [];
    private readonly Stack<int> _freeSlots = new();
    private readonly PriorityQueue<(ProxiedConnection Connection, int Stamp), long> _timers = new();
    private readonly ProxyCounters _counters;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private bool _closed;
    private long _nextSampleTicks;

    /// <summary>Starts the loop thread.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    public ProxyLoop(ProxyCounters counters)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the impairment proxy runs on Linux (epoll).");
        }

        _counters = counters;
        _epoll = LinuxNative.EpollCreate();
        _wake = LinuxNative.TimerFdCreate();
        if (_epoll < 0 || _wake < 0 || LinuxNative.EpollAddInput(_epoll, _wake, WakeEvent) != 0)
        {
            throw new IOException($"epoll/timerfd set-up failed: error {Marshal.GetLastPInvokeError()}");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "perf impair loop" };
        _thread.Start();
    }

    /// <summary>Hands a connected pair to the loop (from any thread).</summary>
    public void Add(ProxiedConnection connection)
    {
        // Under the lock: once the loop has closed (and may close its descriptors), nothing is queued or woken.
        lock (_incoming)
        {
            if (_closed)
            {
                connection.Close(reset: true);
                return;
            }

            _incoming.Enqueue(connection);
            LinuxNative.TimerFdSetAbsolute(_wake, 1);
        }
    }

    /// <summary>Stops the loop and closes every connection.</summary>
    public void Dispose()
    {
        _stopping = true;
        LinuxNative.TimerFdSetAbsolute(_wake, 1);
        _thread.Join();
        LinuxNative.Close(_wake);
        LinuxNative.Close(_epoll);
    }

    private void Run()
    {
        PreciseWait.PrepareThread();
        Span<ulong> ready = stackalloc ulong[64];
        while (!_stopping)
        {
            var now = Stopwatch.GetTimestamp();
            RunTimers(now);
            var until = _timers.TryPeek(out _, out var due) ? Math.Min(due, now + SampleTicks) : now + SampleTicks;
            var count = Wait(ready, until - now);
            now = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                Dispatch(ready[i], now);
            }

            if (now >= _nextSampleTicks)
            {
                _nextSampleTicks = now + SampleTicks;
                Sample();
            }
        }

        foreach (var connection in _slots.ToArray())
        {
            if (connection is not null)
            {
                Close(connection, ConnectionStep.Finished);
            }
        }

        lock (_incoming)
        {
            _closed = true;
            while (_incoming.TryDequeue(out var waiting))
            {
                waiting.Close(reset: false);
            }
        }

        Sample();
    }

    private void Dispatch(ulong data, long now)
    {
        if (data == WakeEvent)
        {
            LinuxNative.TimerFdClear(_wake);
            while (_incoming.TryDequeue(out var added))
            {
                Admit(added, now);
            }

            return;
        }

        var slot = (int)(uint)data;
        var generation = (int)((data >> 32) & 0x7FFF_FFFF);
        if (slot >= _slots.Count || _slots[slot] is not { } connection || connection.Generation != generation)
        {
            return; // an event of a connection closed earlier in this batch
        }

        try
        {
            if (!connection.OnReady(clientSide: (data & UpstreamSide) == 0, now))
            {
                Close(connection, ConnectionStep.PeerFailed);
                return;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Close(connection, ConnectionStep.PeerFailed);
            return;
        }

        Step(connection, now);
    }

    private void Admit(ProxiedConnection connection, long now)
    {
        if (!_freeSlots.TryPop(out var slot))
        {
            slot = _slots.Count;
            _slots.Add(null);
            _generations.Add(0);
        }

        // A new generation for the slot: events still queued for its last connection are ignored.
        _generations[slot] = (_generations[slot] + 1) & 0x7FFF_FFFF;
        connection.Slot = slot;
        connection.Generation = _generations[slot];
        connection.Client.Blocking = false;
        connection.Upstream.Blocking = false;
        _slots[slot] = connection;
        _counters.Opened();
        Step(connection, now);
    }

    private void RunTimers(long now)
    {
        while (_timers.TryPeek(out var entry, out var due) && due <= now)
        {
            _timers.Dequeue();
            var connection = entry.Connection;
            if (entry.Stamp == connection.TimerStamp && connection.ScheduledTicks != long.MaxValue)
            {
                connection.ScheduledTicks = long.MaxValue;
                Step(connection, now);
            }
        }
    }

    private void Step(ProxiedConnection connection, long now)
    {
        ConnectionStep step;
        long nextTicks;
        try
        {
            step = connection.Step(now, out nextTicks);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // A socket that failed in a way its error codes did not say: close this connection only.
            step = ConnectionStep.PeerFailed;
            nextTicks = long.MaxValue;
        }

        if (step != ConnectionStep.Open)
        {
            Close(connection, step);
            return;
        }

        Watch(connection);
        if (nextTicks < connection.ScheduledTicks)
        {
            // An earlier time replaces the entry in the heap; the old one is skipped when it comes up.
            connection.ScheduledTicks = nextTicks;
            connection.TimerStamp++;
            _timers.Enqueue((connection, connection.TimerStamp), nextTicks);
        }
    }

    private void Watch(ProxiedConnection connection)
    {
        var data = (ulong)(uint)connection.Slot | ((ulong)(uint)connection.Generation << 32);
        var client = connection.WantedClientEvents;
        if (client != connection.ClientEvents)
        {
            Control(connection.ClientDescriptor, connection.ClientEvents, client, data);
            connection.ClientEvents = client;
        }

        var upstream = connection.WantedUpstreamEvents;
        if (upstream != connection.UpstreamEvents)
        {
            Control(connection.UpstreamDescriptor, connection.UpstreamEvents, upstream, data | UpstreamSide);
            connection.UpstreamEvents = upstream;
        }
    }

    private void Control(int descriptor, uint current, uint wanted, ulong data)
    {
        if (LinuxNative.EpollWatch(_epoll, descriptor, current, wanted, data) != 0)
        {
            throw new IOException($"epoll_ctl failed: error {Marshal.GetLastPInvokeError()}");
        }
    }

    private void Close(ProxiedConnection connection, ConnectionStep why)
    {
        if (connection.ClientEvents != 0)
        {
            LinuxNative.EpollRemove(_epoll, connection.ClientDescriptor);
        }

        if (connection.UpstreamEvents != 0)
        {
            LinuxNative.EpollRemove(_epoll, connection.UpstreamDescriptor);
        }

        connection.ClientEvents = connection.UpstreamEvents = 0;
        connection.ScheduledTicks = long.MaxValue;
        connection.TimerStamp++;
        connection.Close(reset: why != ConnectionStep.Finished);
        if (why == ConnectionStep.Reset)
        {
            _counters.Reset();
        }
        else if (why == ConnectionStep.PeerFailed)
        {
            _counters.PeerReset();
        }

        _slots[connection.Slot] = null;
        _freeSlots.Push(connection.Slot);
        _counters.Closed();
    }

    // One wait with a nanosecond timeout (epoll_pwait2), or whole milliseconds on older kernels.
    private int Wait(Span<ulong> ready, long ticks)
    {
        var nanoseconds = (long)(Math.Max(0, ticks) * (1e9 / Stopwatch.Frequency));
        var count = LinuxNative.HasEpollWaitNanoseconds
            ? LinuxNative.EpollWaitFor(_epoll, ready, nanoseconds)
            : LinuxNative.EpollWait(_epoll, ready, (int)Math.Ceiling(nanoseconds / 1e6));
        return Math.Max(0, count); // -1: interrupted by a signal; look again
    }

    private void Sample() => _counters.LoopSample(LinuxNative.CurrentThreadCpuTime(), GC.GetAllocatedBytesForCurrentThread());
}
