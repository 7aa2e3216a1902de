namespace Relay.Server.Connections;

/// <summary>
/// Wakes deferred to the end of a read batch. A connection's read loop opens a batch when a read
/// completes and closes it before it waits again; a <see cref="WakeSignal"/> released on that
/// thread in between (this connection's answers, a recipient's delivery) is remembered, and its
/// writer runs on the reading thread when the batch closes: one wake-up per batch of frames and no
/// hand-off to the thread pool, where each wake would cost a context switch. Per thread, so the
/// bookkeeping takes no lock; a batch never spans an await, so it never changes threads.
/// </summary>
internal static class ReadBatchWakes
{
    // More wakes than this in one batch go to the thread pool as before.
    private const int Capacity = 256;

    [ThreadStatic]
    private static WakeSignal?[]? t_pending;

    [ThreadStatic]
    private static int t_count;

    [ThreadStatic]
    private static bool t_open;

    /// <summary>Opens a batch on this thread: wakes released from here on wait for <see cref="Close"/>.</summary>
    public static void Open() => t_open = true;

    /// <summary>Closes this thread's batch and runs the writers it deferred, here, in release order.</summary>
    public static void Close()
    {
        t_open = false;
        var count = t_count;
        if (count == 0)
        {
            return;
        }

        // Taken away while the writers run: should one of them let another read batch open and
        // close on this thread, that batch gets an array of its own instead of overwriting this one.
        var pending = t_pending!;
        t_pending = null;
        t_count = 0;
        for (var i = 0; i < count; i++)
        {
            var signal = pending[i]!;
            pending[i] = null;
            signal.WakeNow();
        }

        t_pending ??= pending;
    }

    /// <summary>Defers <paramref name="signal"/>'s wake to this thread's batch end; false when no batch is open here (or it is full).</summary>
    public static bool TryDefer(WakeSignal signal)
    {
        if (!t_open || t_count == Capacity)
        {
            return false;
        }

        var pending = t_pending ??= new WakeSignal?[Capacity];
        pending[t_count++] = signal;
        return true;
    }
}
