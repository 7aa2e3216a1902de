using System.Threading.Channels;
using NATS.Client.Core;
using Perf.Testing.Nats;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;
using Relay.Store.Nats.Publishing;
using Relay.Store.Nats.Requests;

namespace Relay.Store.Nats.Tests;

/// <summary>
/// The publish window's edges, on a real nats-server: a publish given up while it waited (its SEND
/// was refused) is not sent at all, and closing the store refuses what is still queued.
/// </summary>
public sealed class PublishBatcherTests
{
    private static readonly SendOutcome Refused = SendOutcome.Refused(RejectReason.StoreUnavailable);

    [SkippableFact]
    public async Task A_publish_given_up_while_it_waits_is_not_sent_and_the_next_one_is()
    {
        await using var nats = await JetStreamServer.StartAsync();
        await using var connection = new NatsConnection(new NatsOpts { Url = nats.Url });
        var received = Channel.CreateUnbounded<string>();
        await using var watch = await connection.SubscribeCoreAsync<byte[]>("batch.>");
        _ = Task.Run(async () =>
        {
            await foreach (var message in watch.Msgs.ReadAllAsync())
            {
                received.Writer.TryWrite(message.Subject + " " + message.ReplyTo);
            }
        });
        await connection.PingAsync();
        var slots = new RequestSlots<SendOutcome>("_T", 4);
        var failures = 0;
        using var batcher = new PublishBatcher(connection, TimeSpan.FromMilliseconds(300), (_, _) => Interlocked.Increment(ref failures));

        var givenUp = slots.Reserve()!;
        batcher.Enqueue("batch.given-up", System.Buffers.ArrayPool<byte>.Shared.Rent(8), 8, givenUp);
        Assert.True(givenUp.TryAbandon(Refused)); // the SEND was refused (a timeout, a lost connection)
        var kept = slots.Reserve()!;
        batcher.Enqueue("batch.kept", System.Buffers.ArrayPool<byte>.Shared.Rent(8), 8, kept);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal($"batch.kept {kept.ReplyTo}", await received.Reader.ReadAsync(timeout.Token));
        await connection.PingAsync(); // anything else published would have arrived by now
        Assert.False(received.Reader.TryRead(out var extra), $"published although given up: {extra}");
        Assert.Equal((1L, 1L), batcher.Sent);
        Assert.Equal(0, failures);
    }

    [SkippableFact]
    public async Task Closing_refuses_what_is_still_waiting_for_its_window_at_once()
    {
        await using var nats = await JetStreamServer.StartAsync();
        await using var connection = new NatsConnection(new NatsOpts { Url = nats.Url });
        await connection.ConnectAsync();
        var slots = new RequestSlots<SendOutcome>("_T", 4);
        var refused = new List<RequestSlot<SendOutcome>>();
        var batcher = new PublishBatcher(connection, TimeSpan.FromSeconds(30), (slot, _) => refused.Add(slot));
        var first = slots.Reserve()!;
        var second = slots.Reserve()!;
        batcher.Enqueue("batch.a", System.Buffers.ArrayPool<byte>.Shared.Rent(8), 8, first);
        batcher.Enqueue("batch.b", System.Buffers.ArrayPool<byte>.Shared.Rent(8), 8, second);

        var closing = System.Diagnostics.Stopwatch.StartNew();
        batcher.Dispose();

        Assert.True(closing.Elapsed < TimeSpan.FromSeconds(10), "closing waited the window out");
        Assert.Equal([first, second], refused);
        Assert.Equal((0L, 0L), batcher.Sent);
    }
}
