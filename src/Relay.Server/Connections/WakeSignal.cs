using System.Threading.Tasks.Sources;
using Relay.Protocol.Threading;

namespace Relay.Server.Connections;

/// <summary>
/// Wakes one waiting loop (a connection's writer): any thread may <see cref="Release"/>, one
/// waits. It does what a <c>SemaphoreSlim</c> of at most one count does there, in one small
/// reusable object: a waiting SemaphoreSlim holds ~500 bytes of task, node and cancellation
/// objects per connection, and allocates them again for every wait — memory every idle
/// connection kept and garbage every message made. The waiter runs on the thread pool, or, when
/// released inside a read batch (<see cref="ReadBatchWakes"/>), on the reading thread once the
/// batch is used up.
/// </summary>
internal sealed class WakeSignal : IValueTaskSource, IThreadPoolWorkItem, IDeferredWake
{
    private const int Idle = 0;
    private const int Signalled = 1;
    private const int Waiting = 2;

    // Continuations run where the core completes: Release and Cancel choose that place (the
    // thread pool, or a reading thread's batch end), so a releasing thread never runs the waiter.
    private ManualResetValueTaskSourceCore<bool> _core;
    private CancellationTokenRegistration _cancellation;
    private OperationCanceledException? _cancelled;
    private int _state;

    /// <summary>Wakes the waiter, or lets its next wait return at once.</summary>
    public void Release()
    {
        while (true)
        {
            switch (Volatile.Read(ref _state))
            {
                case Signalled:
                    return;
                case Idle when Interlocked.CompareExchange(ref _state, Signalled, Idle) == Idle:
                    return;
                case Waiting when Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting:
                    if (!ReadBatchWakes.TryDefer(this))
                    {
                        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                    }

                    return;
            }
        }
    }

    /// <summary>Completes when released (at once if released since the last wait); one waiter at a time.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Signalled) == Signalled)
        {
            return ValueTask.CompletedTask;
        }

        cancellationToken.ThrowIfCancellationRequested();
        _core.Reset();
        // Registered before waiting, so that GetResult (which can run as soon as the state says
        // Waiting) always finds the registration it must dispose.
        _cancellation = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, token) => ((WakeSignal)state!).Cancel(token), this)
            : default;
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) != Idle)
        {
            // Released between the two steps.
            _cancellation.Dispose();
            _cancellation = default;
            Volatile.Write(ref _state, Idle);
            return ValueTask.CompletedTask;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // Cancelled before the state said Waiting: the callback found nothing to cancel.
            Cancel(cancellationToken);
        }

        return new ValueTask(this, _core.Version);
    }

    /// <inheritdoc />
    void IValueTaskSource.GetResult(short token)
    {
        _cancellation.Dispose();
        _cancellation = default;
        _core.GetResult(token);
    }

    /// <inheritdoc />
    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc />
    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>Runs the waiter on this thread; for a wake <see cref="ReadBatchWakes"/> deferred.</summary>
    public void WakeNow()
    {
        var cancelled = _cancelled;
        if (cancelled is null)
        {
            _core.SetResult(true);
        }
        else
        {
            _cancelled = null;
            _core.SetException(cancelled);
        }
    }

    /// <inheritdoc />
    void IThreadPoolWorkItem.Execute() => WakeNow();

    private void Cancel(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
        {
            _cancelled = new OperationCanceledException(token);
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }
}
