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
}
