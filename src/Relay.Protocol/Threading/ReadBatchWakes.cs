namespace Relay.Protocol.Threading;

/// <summary>
/// Wakes deferred to the end of a read batch. A loop that reads (a connection's read loop, the
/// NATS reader handing the store a message) opens a batch when a read completes and closes it
/// before it waits again; a wake released on that thread in between (a connection's answers, a
/// recipient's delivery) is remembered, and its loop runs on the reading thread when the batch
/// closes: one wake-up per batch and no hand-off to the thread pool, where each wake would cost a
/// context switch. Per thread, so the bookkeeping takes no lock; a batch never spans an await, so
/// it never changes threads.
/// </summary>
public static class ReadBatchWakes
{
    // More wakes than this in one batch go to the thread pool as before.
    private const int Capacity = 256;

    [ThreadStatic]
    private static IDeferredWake?[]? t_pending;

    [ThreadStatic]
    private static int t_count;

    [ThreadStatic]
    private static bool t_open;

    /// <summary>Opens a batch on this thread: wakes released from here on wait for <see cref="Close"/>.</summary>
    public static void Open() => t_open = true;

    /// <summary>
    /// Opens a batch unless one is open on this thread already; true when this call opened it (and
    /// its caller must <see cref="Close"/> it), false when an enclosing reader owns the batch.
    /// </summary>
    public static bool TryOpen()
    {
        if (t_open)
        {
            return false;
        }

        t_open = true;
        return true;
    }

    /// <summary>
    /// <see cref="TryOpen"/> as a scope: <c>using (ReadBatchWakes.Enter()) { ... }</c> around a reader's
    /// handling of one message closes the batch at its end if this call opened it.
    /// </summary>
    public static Scope Enter() => new(TryOpen());

    /// <summary>Closes this thread's batch and runs the loops it deferred, here, in release order.</summary>
    public static void Close()
    {
        t_open = false;
        var count = t_count;
        if (count == 0)
        {
            return;
        }

        // Taken away while the loops run: should one of them let another read batch open and
        // close on this thread, that batch gets an array of its own instead of overwriting this one.
        var pending = t_pending!;
        t_pending = null;
        t_count = 0;
        for (var i = 0; i < count; i++)
        {
            var wake = pending[i]!;
            pending[i] = null;
            wake.WakeNow();
        }

        t_pending ??= pending;
    }

    /// <summary>Defers <paramref name="wake"/> to this thread's batch end; false when no batch is open here (or it is full).</summary>
    public static bool TryDefer(IDeferredWake wake)
    {
        if (!t_open || t_count == Capacity)
        {
            return false;
        }

        var pending = t_pending ??= new IDeferredWake?[Capacity];
        pending[t_count++] = wake;
        return true;
    }

    /// <summary>A batch <see cref="Enter"/> may have opened; disposing it closes that batch (and nothing when an enclosing reader owns it).</summary>
    public readonly ref struct Scope
    {
        private readonly bool _opened;

        internal Scope(bool opened) => _opened = opened;

        /// <summary>Closes the batch if this scope opened it, running the wakes it deferred.</summary>
        public void Dispose()
        {
            if (_opened)
            {
                Close();
            }
        }
    }
}
