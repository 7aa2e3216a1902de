using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Perf.Load.Engine;
using Perf.Load.Net;
using Perf.Load.Recording;
using Perf.Load.Targets.Echo;

namespace Perf.Load.Tests.Net;

/// <summary>The generator's own socket path: bytes in order whatever the kernel's chunking, and the echo client's reassembly of messages split anywhere.</summary>
public sealed class DirectSocketsTests
{
    [Fact]
    public async Task Bytes_arrive_in_order_on_the_receive_thread_and_a_close_is_reported()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        using var server = await listener.AcceptSocketAsync();
        var receiver = new Collecting();
        using var sockets = new DirectSockets(1);
        var direct = sockets.Add(client, receiver);
        sockets.Start();

        var data = new byte[300_000];
        new Random(7).NextBytes(data);
        await server.SendAsync(data);
        await direct.SendAsync("ping"u8);
        var echoed = new byte[4];
        Assert.Equal(4, await server.ReceiveAsync(echoed));
        server.Shutdown(SocketShutdown.Both);

        Assert.True(receiver.Done.Wait(TimeSpan.FromSeconds(10)), "no close was reported");
        Assert.Equal(data, receiver.Bytes.ToArray());
        Assert.Equal("ping"u8.ToArray(), echoed);
        Assert.Equal(DirectSockets.UsesEpoll, receiver.ThreadNames.All(n => n == "perf load receiver"));
    }

    [SkippableFact]
    public async Task A_caller_that_pumps_reads_on_its_own_thread_and_hands_reading_back()
    {
        Skip.IfNot(DirectSockets.UsesEpoll, "the caller pumps only with epoll (Linux).");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = await DirectSockets.ConnectAsync(listener.LocalEndpoint, TimeSpan.FromSeconds(5), CancellationToken.None);
        using var server = await listener.AcceptSocketAsync();
        var receiver = new Collecting();
        using var sockets = new DirectSockets(4);
        sockets.Add(client, receiver);
        sockets.Start();

        var pumped = await Task.Factory.StartNew(() =>
        {
            Thread.CurrentThread.Name = "pumping caller";
            using (sockets.CallerPumps())
            {
                server.Send("while pumping"u8);
                var until = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency / 5;
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                sockets.PumpUntil(until);
                return System.Diagnostics.Stopwatch.GetElapsedTime(started);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        server.Send("after"u8);
        server.Shutdown(SocketShutdown.Both);

        Assert.True(receiver.Done.Wait(TimeSpan.FromSeconds(10)), "no close was reported");
        Assert.Equal("while pumpingafter"u8.ToArray(), receiver.Bytes.ToArray());
        Assert.Contains("pumping caller", receiver.ThreadNames);
        Assert.Contains("perf load receiver", receiver.ThreadNames);
        // PumpUntil returned at its due time (200 ms), not at the first arrival.
        Assert.True(pumped >= TimeSpan.FromMilliseconds(190), $"returned after {pumped.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_socket_limited_to_a_byte_rate_reads_no_faster_and_still_gets_everything()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = await DirectSockets.ConnectAsync(listener.LocalEndpoint, TimeSpan.FromSeconds(5), CancellationToken.None);
        using var server = await listener.AcceptSocketAsync();
        var receiver = new Collecting();
        using var sockets = new DirectSockets(1);
        const int rate = 16 * 1024;
        sockets.Add(client, receiver, rate);
        sockets.Start();

        var data = new byte[48 * 1024];
        new Random(3).NextBytes(data);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var sending = server.SendAsync(data);

        // Never ahead of the rate plus one burst (a quarter second's worth): a busy machine only slows it.
        var deadline = started + (20 * System.Diagnostics.Stopwatch.Frequency);
        while (Count(receiver) < data.Length && System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
        {
            var allowed = (System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds * rate) + (rate / 4) + 1024;
            Assert.True(Count(receiver) <= allowed, $"{Count(receiver)} bytes after {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
            await Task.Delay(50);
        }

        await sending;
        lock (receiver.Bytes)
        {
            Assert.Equal(data, receiver.Bytes.ToArray());
        }
    }

    private static int Count(Collecting receiver)
    {
        lock (receiver.Bytes)
        {
            return receiver.Bytes.Count;
        }
    }

    [Fact]
    public async Task Echoed_messages_split_at_every_byte_are_reassembled()
    {
        // An echo that hands every byte back on its own: the client sees each message in pieces.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var dribble = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            socket.NoDelay = true;
            var one = new byte[1];
            while (await socket.ReceiveAsync(one) == 1)
            {
                await socket.SendAsync(one);
            }
        });
        var scenario = new LoadScenario { Connections = 1, RatePerSecond = 200, MessageSize = 40, Duration = TimeSpan.FromSeconds(1), Warmup = TimeSpan.Zero };
        LoadRunResult result;
        await using (var target = new EchoTarget(listener.LocalEndpoint))
        {
            result = await new OpenLoopRunner(scenario).RunAsync(target, null, CancellationToken.None);
        }

        Assert.Equal(result.Recorders.Sent, result.Recorders.Delivered);
        Assert.True(result.Recorders.Delivered >= 190, $"delivered {result.Recorders.Delivered}");
        Assert.Equal(0, result.Recorders.Errors);
        await dribble.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_socket_closed_from_this_side_frees_its_slot_for_the_next_one()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var sockets = new DirectSockets(1);
        sockets.Start();
        var first = new Collecting();
        var direct = sockets.Add(await DirectSockets.ConnectAsync(listener.LocalEndpoint, TimeSpan.FromSeconds(5), CancellationToken.None), first);
        using var firstServer = await listener.AcceptSocketAsync();

        direct.Dispose(); // a client that reconnects closes its old socket before it adds the new one
        using var second = await DirectSockets.ConnectAsync(listener.LocalEndpoint, TimeSpan.FromSeconds(5), CancellationToken.None);
        using var secondServer = await listener.AcceptSocketAsync();
        var receiver = new Collecting();
        var replacement = sockets.Add(second, receiver);
        await secondServer.SendAsync("pong"u8.ToArray());

        Assert.True(first.Done.IsSet); // told once, on this side
        Assert.Equal(0, await firstServer.ReceiveAsync(new byte[1])); // the peer saw the close
        Assert.True(SpinWait.SpinUntil(() => receiver.Bytes.Count == 4, TimeSpan.FromSeconds(10)), "the new socket in the freed slot is read");
        Assert.NotNull(replacement);
    }

    [Fact]
    public async Task The_set_disposed_from_its_own_receive_thread_returns_and_stops_reading()
    {
        // A run that fails in a continuation of a read (a shard's start gate refusing) disposes the set there.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = await DirectSockets.ConnectAsync(listener.LocalEndpoint, TimeSpan.FromSeconds(5), CancellationToken.None);
        using var server = await listener.AcceptSocketAsync();
        var sockets = new DirectSockets(1);
        var receiver = new DisposingOnRead(sockets);
        sockets.Add(client, receiver);
        sockets.Start();

        await server.SendAsync("go"u8.ToArray());

        Assert.True(receiver.Disposed.Wait(TimeSpan.FromSeconds(10)), "Dispose on the receive thread did not return");
        await server.SendAsync("more"u8.ToArray());
        Assert.False(SpinWait.SpinUntil(() => receiver.Reads > 1, TimeSpan.FromMilliseconds(300)), "the set kept reading after it was disposed");
        sockets.Dispose(); // again, from another thread: nothing left to wait for
    }

    private sealed class DisposingOnRead(DirectSockets sockets) : IDirectReceiver
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public ManualResetEventSlim Disposed { get; } = new();

        public void Received(ReadOnlySpan<byte> data)
        {
            if (Interlocked.Increment(ref _reads) == 1)
            {
                sockets.Dispose();
                Disposed.Set();
            }
        }

        public void Closed()
        {
        }
    }

    private sealed class Collecting : IDirectReceiver
    {
        public List<byte> Bytes { get; } = [];

        public HashSet<string?> ThreadNames { get; } = [];

        public ManualResetEventSlim Done { get; } = new();

        public void Received(ReadOnlySpan<byte> data)
        {
            ThreadNames.Add(Thread.CurrentThread.Name);
            lock (Bytes)
            {
                Bytes.AddRange(data.ToArray());
            }
        }

        public void Closed() => Done.Set();
    }
}
