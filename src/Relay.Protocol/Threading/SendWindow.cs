using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Relay.Protocol.Threading;

/// <summary>
/// Holds items for up to a window after the first arrives, then hands everything that queued
/// meanwhile to a sender in one go, so that what is sent leaves together (one socket write, one
/// wake-up of the peer) instead of one by one. A thread of its own sleeps the window out: the
/// thread pool's timers cannot wait less than a millisecond, and would cost a work item per batch.
/// </summary>
/// <typeparam name="T">What is queued.</typeparam>
public sealed class SendWindow<T> : IDisposable
{
    private readonly TimeSpan _window;
    private readonly Func<T, bool> _send;
    private readonly Action<T> _refuse;
    private readonly ConcurrentQueue<T> _queue = new();
    private readonly ManualResetEventSlim _signal = new(initialState: false);
    private readonly ManualResetEventSlim _stop = new(initialState: false);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _armed;
    private long _sent;
    private long _batches;

    /// <param name="window">How long the first item of a batch waits for others (more than zero).</param>
    /// <param name="send">Sends one item, on the window's thread; false when it skipped it (given up meanwhile).</param>
    /// <param name="refuse">Called for each item still queued when the window is disposed.</param>
    /// <param name="threadName">The window thread's name, for stack dumps.</param>
    public SendWindow(TimeSpan window, Func<T, bool> send, Action<T> refuse, string threadName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _window = window;
        _send = send ?? throw new ArgumentNullException(nameof(send));
        _refuse = refuse ?? throw new ArgumentNullException(nameof(refuse));
        _thread = new Thread(Run) { IsBackground = true, Name = threadName };
        _thread.Start();
    }

    /// <summary>How many items were sent so far, and in how many batches.</summary>
    public (long Items, long Batches) Sent => (Interlocked.Read(ref _sent), Interlocked.Read(ref _batches));

    /// <summary>Queues <paramref name="item"/>; it is sent within the window (the first of a batch arms it).</summary>
    public void Enqueue(T item)
    {
        _queue.Enqueue(item);
        if (Interlocked.Exchange(ref _armed, 1) == 0)
        {
            _signal.Set();
        }
    }

    /// <summary>Stops the thread (at once, even mid-window); what is still queued is refused.</summary>
    public void Dispose()
    {
        _stopping = true;
        _stop.Set();
        _signal.Set();
        _thread.Join();
        while (_queue.TryDequeue(out var item))
        {
            _refuse(item);
        }

        _signal.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        while (true)
        {
            _signal.Wait();
            _signal.Reset();
            if (_stopping || !SleepUnlessStopped())
            {
                return;
            }

            // Disarmed before draining: an item queued from here on is either taken below or arms the next batch.
            Volatile.Write(ref _armed, 0);
            var count = 0;
            while (_queue.TryDequeue(out var item))
            {
                if (_send(item))
                {
                    count++;
                }
            }

            if (count > 0)
            {
                Interlocked.Add(ref _sent, count);
                Interlocked.Increment(ref _batches);
            }
        }
    }

    // False when disposed meanwhile. Waits count whole milliseconds; below one, libc's usleep
    // (Linux, macOS) keeps the window asked (too short to be worth interrupting).
    private bool SleepUnlessStopped()
    {
        if (_window < TimeSpan.FromMilliseconds(1) && !OperatingSystem.IsWindows())
        {
            _ = MicrosecondSleep.Sleep((uint)(_window.Ticks / TimeSpan.TicksPerMicrosecond));
            return !_stopping;
        }

        return !_stop.Wait(_window < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : _window);
    }
}

/// <summary>libc's <c>usleep</c> (not in a generic type: P/Invoke cannot be).</summary>
internal static class MicrosecondSleep
{
    [DllImport("libc", EntryPoint = "usleep")]
    public static extern int Sleep(uint microseconds);
}
