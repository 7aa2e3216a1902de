using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using NATS.Client.Core;
using Relay.Protocol.Routing;
using Relay.Store.Nats.Requests;

namespace Relay.Store.Nats.Publishing;

/// <summary>
/// Holds a node's publishes for up to a window and hands them to NATS.Net together, so they leave
/// in one socket write and nats-server (and this node's NATS reader, which gets their answers and
/// republished copies back together) wakes once per batch instead of once per message: at a
/// steady rate those wake-ups are most of what a JetStream publish costs (docs/relay.md, "Durable
/// mailboxes"). A thread of its own sleeps the window out: the thread pool's timers cannot wait
/// less than a millisecond, and sending when the previous batch is answered (no timer) was
/// measured to batch nothing at 5,000 msgs/s, where a round trip is shorter than the gap between
/// messages.
/// </summary>
internal sealed class PublishBatcher : IDisposable
{
    private readonly NatsConnection _connection;
    private readonly TimeSpan _window;
    private readonly Action<RequestSlot<SendOutcome>, Exception> _failed;
    private readonly ConcurrentQueue<Queued> _queue = new();
    private readonly ManualResetEventSlim _signal = new(initialState: false);
    private readonly ManualResetEventSlim _stop = new(initialState: false);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _armed;
    private long _published;
    private long _batches;

    /// <param name="connection">Where the publishes go.</param>
    /// <param name="window">How long the first publish of a batch waits for others.</param>
    /// <param name="failed">Called for a publish NATS.Net refused, or one still queued at disposal.</param>
    public PublishBatcher(NatsConnection connection, TimeSpan window, Action<RequestSlot<SendOutcome>, Exception> failed)
    {
        _connection = connection;
        _window = window;
        _failed = failed;
        _thread = new Thread(Run) { IsBackground = true, Name = "relay-publish-batcher" };
        _thread.Start();
    }

    /// <summary>How many publishes left in batches so far, and in how many batches.</summary>
    public (long Publishes, long Batches) Sent => (Interlocked.Read(ref _published), Interlocked.Read(ref _batches));

    /// <summary>
    /// Queues <paramref name="buffer"/>[..<paramref name="length"/>] for <paramref name="subject"/>,
    /// answered on <paramref name="slot"/>'s reply subject as it is now; the buffer goes back to the
    /// pool once NATS.Net has it.
    /// </summary>
    public void Enqueue(string subject, byte[] buffer, int length, RequestSlot<SendOutcome> slot)
    {
        _queue.Enqueue(new Queued(subject, buffer, length, slot, slot.Number, slot.ReplyTo));
        if (Interlocked.Exchange(ref _armed, 1) == 0)
        {
            _signal.Set();
        }
    }

    /// <summary>Stops the thread (at once, even mid-window); what is still queued is refused through the failure callback.</summary>
    public void Dispose()
    {
        _stopping = true;
        _stop.Set();
        _signal.Set();
        _thread.Join();
        var closing = new ObjectDisposedException(nameof(PublishBatcher), "the store is closing");
        while (_queue.TryDequeue(out var queued))
        {
            ArrayPool<byte>.Shared.Return(queued.Buffer);
            _failed(queued.Slot, closing);
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
            if (_stopping)
            {
                return;
            }

            if (!SleepUnlessStopped(_window))
            {
                return;
            }

            // Disarmed before draining: a publish queued from here on is either taken below or arms the next batch.
            Volatile.Write(ref _armed, 0);
            var count = 0;
            while (_queue.TryDequeue(out var queued))
            {
                // Given up meanwhile (timeout, lost connection): its SEND was refused, so it is not stored either.
                if (queued.Slot.Number != queued.Number || !queued.Slot.IsWaiting)
                {
                    ArrayPool<byte>.Shared.Return(queued.Buffer);
                    continue;
                }

                PooledPublish.Send(_connection, queued.Subject, queued.Buffer, queued.Length, queued.Slot, queued.ReplyTo, _failed);
                count++;
            }

            if (count > 0)
            {
                Interlocked.Add(ref _published, count);
                Interlocked.Increment(ref _batches);
            }
        }
    }

    // False when the store closes meanwhile. Waits count whole milliseconds; below one, libc's
    // usleep (Linux, macOS) keeps the window asked (too short to be worth interrupting).
    private bool SleepUnlessStopped(TimeSpan window)
    {
        if (window < TimeSpan.FromMilliseconds(1) && !OperatingSystem.IsWindows())
        {
            _ = MicrosecondSleep((uint)(window.Ticks / TimeSpan.TicksPerMicrosecond));
            return !_stopping;
        }

        return !_stop.Wait(window < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : window);
    }

    [DllImport("libc", EntryPoint = "usleep")]
    private static extern int MicrosecondSleep(uint microseconds);

    private readonly record struct Queued(string Subject, byte[] Buffer, int Length, RequestSlot<SendOutcome> Slot, long Number, string ReplyTo);
}
