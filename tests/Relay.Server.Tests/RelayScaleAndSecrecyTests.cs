using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Relay.Client;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Relay.Server.Tests;

[Collection(nameof(RunsAloneCollection))] // reads process-wide managed memory
public sealed class RelayScaleAndSecrecyTests
{
    [Fact]
    public async Task The_bytes_the_relay_handles_never_contain_the_e2e_plaintext()
    {
        var recorded = new ConcurrentQueue<byte[]>();
        await using var relay = await TestRelay.StartAsync(o => o with { TcpMiddleware = next => context => Recording(next, context, recorded) });
        using var alice = X25519KeyPair.Generate();
        using var bob = X25519KeyPair.Generate();
        var plaintext = Encoding.UTF8.GetBytes("TOP SECRET: the relay must never see this sentence");
        using var session = E2eSession.Initiate(alice, bob.PublicKey, new E2eSessionOptions());
        var envelope = new byte[session.GetEnvelopeSize(plaintext.Length)];
        session.Seal(plaintext, envelope);

        await using (var a = await relay.TcpAsync(alice))
        await using (var b = await relay.TcpAsync(bob))
        {
            await a.SendAndExpectAcceptedAsync(1, bob, envelope);
            var delivered = await b.ExpectDeliverAsync();
            Assert.Equal(E2eError.None, E2eSession.TryAccept(bob, delivered.Envelope, new E2eSessionOptions(), out var receiver));
            using (receiver)
            {
                var opened = new byte[delivered.Envelope.Length];
                Assert.Equal(E2eError.None, receiver!.TryOpen(delivered.Envelope, opened, out var length));
                Assert.Equal(plaintext, opened[..length]);
            }
        }

        var all = recorded.SelectMany(x => x).ToArray();
        Assert.True(all.Length > envelope.Length, "the recording caught the traffic");
        Assert.Equal(-1, all.AsSpan().IndexOf(plaintext.AsSpan(0, 16)));
        // The transport hides even the envelope: the ciphertext is not in clear on the wire either.
        Assert.Equal(-1, all.AsSpan().IndexOf(envelope.AsSpan(envelope.Length - 32, 16)));
    }

    [Fact]
    public async Task A_hundred_clients_times_a_hundred_messages_each_arrive_once_at_the_right_recipient()
    {
        const int Clients = 100;
        const int PerClient = 100;
        await using var relay = await TestRelay.StartAsync();
        var keys = Enumerable.Range(0, Clients).Select(_ => X25519KeyPair.Generate()).ToArray();
        var connections = new RelayClientConnection[Clients];
        for (var i = 0; i < Clients; i++)
        {
            connections[i] = i % 2 == 0 ? await relay.TcpAsync(keys[i]) : await relay.WebSocketAsync(keys[i]);
        }

        var received = new ConcurrentDictionary<string, int>();
        var writeLocks = Enumerable.Range(0, Clients).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
        var readers = Enumerable.Range(0, Clients).Select(i => Task.Run(async () =>
        {
            var expectedSender = new Identity(keys[(i + Clients - 1) % Clients].PublicKey);
            var delivered = 0;
            var accepted = 0;
            while (delivered < PerClient || accepted < PerClient)
            {
                var frame = await connections[i].ExpectAnyAsync();
                if (frame.Type == FrameType.Accepted)
                {
                    accepted++;
                    continue;
                }

                Assert.Equal(FrameType.Deliver, frame.Type);
                Assert.Equal(expectedSender, frame.Identity);
                received.AddOrUpdate(Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(frame.Envelope)), 1, (_, n) => n + 1);
                // A connection has one writer at a time: the reader's ACKs and the sender share its lock.
                await writeLocks[i].WaitAsync();
                try
                {
                    connections[i].Ack(frame.RelayMessageId);
                    await connections[i].FlushAsync();
                }
                finally
                {
                    writeLocks[i].Release();
                }

                delivered++;
            }
        })).ToArray();

        var senders = Enumerable.Range(0, Clients).Select(i => Task.Run(async () =>
        {
            var recipient = new Identity(keys[(i + 1) % Clients].PublicKey);
            await writeLocks[i].WaitAsync();
            try
            {
                for (var m = 0; m < PerClient; m++)
                {
                    connections[i].Send((ulong)m, recipient, Encoding.UTF8.GetBytes($"{i}->{(i + 1) % Clients}:{m}"));
                }

                await connections[i].FlushAsync();
            }
            finally
            {
                writeLocks[i].Release();
            }
        })).ToArray();

        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(60));
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Clients * PerClient, received.Count);
        Assert.All(received.Values, count => Assert.Equal(1, count));
        for (var i = 0; i < Clients; i++)
        {
            Assert.True(received.ContainsKey($"{i}->{(i + 1) % Clients}:{PerClient - 1}"));
            await connections[i].DisposeAsync();
            keys[i].Dispose();
        }
    }

    [Fact]
    public async Task A_recipient_that_stops_reading_is_bounded_by_its_mailbox_and_others_keep_flowing()
    {
        const int Limit = 300;
        await using var relay = await TestRelay.StartAsync(o => o with { Mailbox = new() { MaxMessages = Limit }, MaxOutputBufferBytes = 64 * 1024 });
        using var sender = X25519KeyPair.Generate();
        using var sleeper = X25519KeyPair.Generate();
        using var alice = X25519KeyPair.Generate();
        using var bob = X25519KeyPair.Generate();
        await using var sleeping = await relay.TcpAsync(sleeper);
        await using var flooding = await relay.TcpAsync(sender);
        await using var a = await relay.TcpAsync(alice);
        await using var b = await relay.TcpAsync(bob);
        var envelope = new byte[8 * 1024];
        var sleeperId = new Identity(sleeper.PublicKey);

        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        for (var round = 0; round < 5; round++)
        {
            for (var m = 0; m < 200; m++)
            {
                flooding.Send((ulong)((round * 200) + m), sleeperId, envelope);
            }

            await flooding.FlushAsync();
            // The others still get through while the sleeper's mailbox fills.
            await a.SendAndExpectAcceptedAsync((ulong)round, bob, [1, 2, 3]);
            var delivered = await b.ExpectDeliverAsync();
            b.Ack(delivered.RelayId);
            await b.FlushAsync();
        }

        var accepted = 0;
        var rejected = 0;
        while (accepted + rejected < 1000)
        {
            var frame = await flooding.ExpectAnyAsync();
            if (frame.Type == FrameType.Accepted)
            {
                accepted++;
            }
            else if (frame.Type == FrameType.Rejected)
            {
                Assert.Equal((byte)RejectReason.MailboxFull, frame.Code);
                rejected++;
            }
        }

        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(Limit, accepted);
        Assert.Equal(1000 - Limit, rejected);
        Assert.Equal(Limit, relay.Server.Router.Depth(sleeperId));
        // Held envelopes are bounded by the mailbox (300 x 8 KiB = 2.4 MB); the rejected 5.6 MB were never kept.
        Assert.True(memoryAfter - memoryBefore < 16 * 1024 * 1024, $"managed memory grew by {memoryAfter - memoryBefore} bytes");
    }

    private static async Task Recording(ConnectionDelegate next, ConnectionContext context, ConcurrentQueue<byte[]> recorded)
    {
        var original = context.Transport;
        var inbound = new Pipe();
        var outbound = new Pipe();
        context.Transport = new DuplexPipe(inbound.Reader, outbound.Writer);
        var pumpIn = Pump(original.Input, inbound.Writer, recorded);
        var pumpOut = Pump(outbound.Reader, original.Output, recorded);
        try
        {
            await next(context);
        }
        finally
        {
            await outbound.Writer.CompleteAsync();
            await inbound.Reader.CompleteAsync();
            await Task.WhenAll(pumpIn, pumpOut);
            context.Transport = original;
        }
    }

    private static async Task Pump(PipeReader from, PipeWriter to, ConcurrentQueue<byte[]> recorded)
    {
        try
        {
            while (true)
            {
                var result = await from.ReadAsync();
                foreach (var segment in result.Buffer)
                {
                    recorded.Enqueue(segment.ToArray());
                    await to.WriteAsync(segment);
                }

                from.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException or ConnectionAbortedException)
        {
            // The connection ended.
        }

        await to.CompleteAsync();
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
