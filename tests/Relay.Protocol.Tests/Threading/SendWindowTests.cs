using System.Collections.Concurrent;
using Relay.Protocol.Threading;

namespace Relay.Protocol.Tests.Threading;

/// <summary>What a send window promises: items queued within one window leave together and in order, none is lost or sent twice, and disposal refuses what still waits.</summary>
public sealed class SendWindowTests
{
    [Fact]
    public void Items_queued_within_one_window_leave_in_one_batch_in_order()
    {
        var sent = new ConcurrentQueue<(int Item, int Thread)>();
        using var window = new SendWindow<int>(TimeSpan.FromMilliseconds(300), item => { sent.Enqueue((item, Environment.CurrentManagedThreadId)); return true; }, _ => Assert.Fail("nothing is refused"), "test-window");

        for (var i = 0; i < 10; i++)
        {
            window.Enqueue(i);
        }

        Assert.True(SpinWait.SpinUntil(() => sent.Count == 10, TimeSpan.FromSeconds(10)));
        Assert.Equal(Enumerable.Range(0, 10), sent.Select(s => s.Item));
        Assert.Single(sent.Select(s => s.Thread).Distinct());
        Assert.NotEqual(Environment.CurrentManagedThreadId, sent.First().Thread);
        Assert.Equal((10L, 1L), window.Sent);
    }

    [Fact]
    public async Task Items_from_many_threads_over_many_windows_are_each_sent_once()
    {
        var sent = new ConcurrentDictionary<int, int>();
        using var window = new SendWindow<int>(TimeSpan.FromMicroseconds(200), item => { sent.AddOrUpdate(item, 1, (_, n) => n + 1); return true; }, _ => Assert.Fail("nothing is refused"), "test-window");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                window.Enqueue((t * 10_000) + i);
                if (i % 100 == 0)
                {
                    await Task.Delay(1); // let windows close in between
                }
            }
        })));

        Assert.True(SpinWait.SpinUntil(() => sent.Count == 8_000, TimeSpan.FromSeconds(10)), $"{sent.Count} of 8000 sent");
        Assert.All(sent.Values, count => Assert.Equal(1, count));
        var (items, batches) = window.Sent;
        Assert.Equal(8_000, items);
        Assert.InRange(batches, 2, 8_000);
    }

    [Fact]
    public void Items_a_sender_skips_are_not_counted_sent()
    {
        var done = new CountdownEvent(4);
        using var window = new SendWindow<int>(TimeSpan.FromMilliseconds(50), item => { done.Signal(); return item % 2 == 0; }, _ => { }, "test-window");
        for (var i = 0; i < 4; i++)
        {
            window.Enqueue(i);
        }

        Assert.True(done.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(SpinWait.SpinUntil(() => window.Sent.Items == 2, TimeSpan.FromSeconds(5)));
        Assert.Equal((2L, 1L), window.Sent);
    }

    [Fact]
    public void Disposing_refuses_what_waits_at_once_instead_of_waiting_the_window_out()
    {
        var refused = new List<int>();
        var window = new SendWindow<int>(TimeSpan.FromSeconds(30), _ => true, refused.Add, "test-window");
        window.Enqueue(1);
        window.Enqueue(2);

        var disposing = System.Diagnostics.Stopwatch.StartNew();
        window.Dispose();

        Assert.True(disposing.Elapsed < TimeSpan.FromSeconds(10), "disposal waited the window out");
        Assert.Equal([1, 2], refused);
        Assert.Equal((0L, 0L), window.Sent);
    }

    [Fact]
    public void A_window_of_zero_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SendWindow<int>(TimeSpan.Zero, _ => true, _ => { }, "test-window"));
    }
}
