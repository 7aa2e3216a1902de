using Relay.Protocol.Threading;
using Relay.Server.Connections;

namespace Relay.Server.Tests;

/// <summary>The connection writer's wake-up and control queue: small objects that must still never lose a wake-up or an item.</summary>
public sealed class WakeSignalTests
{
    [Fact]
    public async Task A_release_before_the_wait_lets_it_return_at_once_and_only_once()
    {
        var signal = new WakeSignal();
        signal.Release();
        signal.Release();

        Assert.True(signal.WaitAsync(CancellationToken.None).IsCompletedSuccessfully);
        var second = signal.WaitAsync(CancellationToken.None);
        Assert.False(second.IsCompleted);
        signal.Release();
        await second.AsTask().WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancellation_ends_a_wait_and_the_signal_works_afterwards()
    {
        var signal = new WakeSignal();
        using var stop = new CancellationTokenSource();
        var waiting = signal.WaitAsync(stop.Token).AsTask();

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.ThrowsAny<OperationCanceledException>(() => signal.WaitAsync(stop.Token));
        signal.Release();
        Assert.True(signal.WaitAsync(CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task No_wake_up_is_lost_between_racing_threads()
    {
        // One waiter, as a connection's writer, and several releasers, as its readers and the router:
        // each item put before a release is seen by the waiter.
        var signal = new WakeSignal();
        var queue = new SmallQueue<int>();
        const int PerProducer = 20_000;
        var producers = Enumerable.Range(0, 3).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < PerProducer; i++)
            {
                queue.Enqueue(i);
                signal.Release();
            }
        })).ToArray();
        var taken = 0;
        var consumer = Task.Run(async () =>
        {
            while (taken < 3 * PerProducer)
            {
                await signal.WaitAsync(CancellationToken.None);
                while (queue.TryDequeue(out _))
                {
                    taken++;
                }
            }
        });

        await Task.WhenAll(producers);
        await consumer.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3 * PerProducer, taken);
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public async Task A_release_outside_a_read_batch_wakes_the_waiter_on_another_thread()
    {
        var signal = new WakeSignal();
        var wokeOn = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = WaitThenRecordAsync(signal, wokeOn);

        var releasingThread = await RunOnNewThreadAsync(signal.Release);

        Assert.NotEqual(releasingThread, await wokeOn.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await waiter;
    }

    [Fact]
    public async Task A_release_inside_a_read_batch_waits_for_the_batch_to_close_and_runs_on_its_thread()
    {
        var first = new WakeSignal();
        var second = new WakeSignal();
        var order = new List<string>();
        var firstWoke = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondWoke = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstWaiter = WaitThenRecordAsync(first, firstWoke, () => order.Add("first"));
        var secondWaiter = WaitThenRecordAsync(second, secondWoke, () => order.Add("second"));
        var stillWaitingAfterRelease = false;

        var batchThread = await RunOnNewThreadAsync(() =>
        {
            ReadBatchWakes.Open();
            first.Release();
            second.Release();
            first.Release(); // a second release of the same signal is one wake
            Thread.Sleep(50); // a wake handed elsewhere would have run by now
            stillWaitingAfterRelease = !firstWoke.Task.IsCompleted && !secondWoke.Task.IsCompleted;
            ReadBatchWakes.Close();
        });

        Assert.True(stillWaitingAfterRelease);
        Assert.Equal(batchThread, await firstWoke.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(batchThread, await secondWoke.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(["first", "second"], order);
        await Task.WhenAll(firstWaiter, secondWaiter);
        Assert.True(first.WaitAsync(CancellationToken.None).IsCompletedSuccessfully); // the repeated release
    }

    [Fact]
    public async Task A_nested_reader_joins_the_open_batch_and_the_outer_close_runs_its_wakes()
    {
        var signal = new WakeSignal();
        var wokeOn = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = WaitThenRecordAsync(signal, wokeOn);
        bool outerOpened = false, innerOpened = true, wokeBeforeOuterClose = true;

        var batchThread = await RunOnNewThreadAsync(() =>
        {
            outerOpened = ReadBatchWakes.TryOpen(); // the store's NATS reader, say
            innerOpened = ReadBatchWakes.TryOpen(); // a handler it runs opens none of its own
            signal.Release();
            Thread.Sleep(50); // a wake handed elsewhere would have run by now
            wokeBeforeOuterClose = wokeOn.Task.IsCompleted;
            ReadBatchWakes.Close();
        });

        Assert.True(outerOpened);
        Assert.False(innerOpened);
        Assert.False(wokeBeforeOuterClose);
        Assert.Equal(batchThread, await wokeOn.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await waiter;
    }

    [Fact]
    public async Task A_closed_batch_defers_nothing_more()
    {
        var signal = new WakeSignal();
        var wokeOn = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = WaitThenRecordAsync(signal, wokeOn);

        var releasingThread = await RunOnNewThreadAsync(() =>
        {
            ReadBatchWakes.Open();
            ReadBatchWakes.Close();
            signal.Release();
        });

        Assert.NotEqual(releasingThread, await wokeOn.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await waiter;
    }

    // Waits on the signal and records the id of the thread its continuation ran on.
    private static async Task WaitThenRecordAsync(WakeSignal signal, TaskCompletionSource<int> wokeOn, Action? then = null)
    {
        await signal.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        then?.Invoke();
        wokeOn.SetResult(Environment.CurrentManagedThreadId);
    }

    private static Task<int> RunOnNewThreadAsync(Action action)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            action();
            done.SetResult(Environment.CurrentManagedThreadId);
        });
        thread.Start();
        return done.Task;
    }
}
