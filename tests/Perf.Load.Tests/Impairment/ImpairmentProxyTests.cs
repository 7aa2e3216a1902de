using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Perf.Load.Impairment;
using static Perf.Load.Tests.Impairment.ProxyTestKit;

namespace Perf.Load.Tests.Impairment;

/// <summary>
/// Each fault kind does what it says, through real sockets on loopback with a real echo server
/// behind the proxy. Assertions are on behaviour (bytes, order, resets, lower bounds of delay,
/// loose upper bounds of rate), never on how fast this machine is.
/// </summary>
public sealed class ImpairmentProxyTests
{
    [Fact]
    public async Task Without_faults_every_byte_crosses_both_ways_in_order()
    {
        await using var setup = await EchoBehindProxy.StartAsync("none");
        using var client = await setup.ConnectAsync();
        var data = RandomBytes(1_000_000, 1);

        var sending = client.SendAsync(data, SocketFlags.None);
        var (echoed, _) = await ReceiveExactlyAsync(client, data.Length);
        await sending;

        Assert.Equal(data, echoed);
        var counters = setup.Proxy.Counters;
        Assert.Equal(1, counters.Connections);
        Assert.Equal(data.Length, counters.BytesUp);
        Assert.Equal(data.Length, counters.BytesDown);
    }

    [Fact]
    public async Task Latency_adds_at_least_both_directions_delay_to_every_round_trip()
    {
        await using var setup = await EchoBehindProxy.StartAsync("latency=50ms");
        using var client = await setup.ConnectAsync();

        for (var i = 0; i < 5; i++)
        {
            var elapsed = await TimedRoundTripAsync(client, i);

            Assert.True(elapsed >= TimeSpan.FromMilliseconds(100), $"round trip {i} took {elapsed.TotalMilliseconds:F1} ms, less than the 2 x 50 ms latency");
        }
    }

    [Fact]
    public async Task Jitter_never_reorders_bytes()
    {
        await using var setup = await EchoBehindProxy.StartAsync("latency=5ms,jitter=5ms,seed=3");
        using var client = await setup.ConnectAsync();
        const int messages = 200;
        var sent = new byte[messages * 4];

        for (var i = 0; i < messages; i++)
        {
            // Separate writes, a little apart, so the proxy reads many chunks with different delays.
            BinaryPrimitives.WriteInt32LittleEndian(sent.AsSpan(i * 4), i);
            await client.SendAsync(sent.AsMemory(i * 4, 4), SocketFlags.None);
            if (i % 10 == 0)
            {
                await Task.Delay(1);
            }
        }

        var (echoed, reads) = await ReceiveExactlyAsync(client, sent.Length);

        Assert.Equal(sent, echoed);
        Assert.True(reads > 1, "the echo came back in one read: the test exercised no chunking");
    }

    [Fact]
    public async Task Bandwidth_bounds_the_rate_and_is_slower_than_the_unimpaired_proxy()
    {
        const int bytes = 250_000;
        const double bytesPerSecond = 1_000_000 / 8.0;
        var free = await EchoTimeAsync("none", bytes);
        var limited = await EchoTimeAsync("bandwidth=1mbit", bytes);

        // Loose: no more than 1.5 times the configured rate over the whole transfer.
        var rate = bytes / limited.TotalSeconds;
        Assert.True(rate <= 1.5 * bytesPerSecond, $"carried {rate:F0} B/s through a {bytesPerSecond:F0} B/s link");
        Assert.True(limited > free, $"limited {limited.TotalMilliseconds:F0} ms, unimpaired {free.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task A_receiver_that_does_not_read_pushes_back_on_the_sender_instead_of_filling_memory()
    {
        // An upstream that accepts and never reads, with a small receive buffer.
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        sink.Listen(4);
        var options = new ImpairmentProxyOptions { MaxBufferBytes = 256 * 1024 };
        await using var proxy = ImpairmentProxy.Start(NetworkProfile.Parse("latency=1ms"), new IPEndPoint(IPAddress.Loopback, 0), sink.LocalEndPoint!, options);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { SendBufferSize = 64 * 1024 };
        await client.ConnectAsync(proxy.EndPoint);
        using var accepted = await sink.AcceptAsync();
        client.Blocking = false;

        var chunk = new byte[64 * 1024];
        long taken = 0;
        var lastProgress = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(lastProgress) < TimeSpan.FromMilliseconds(500) && taken < 64L * 1024 * 1024)
        {
            var sent = client.Send(chunk, SocketFlags.None, out var error);
            if (error == SocketError.Success && sent > 0)
            {
                taken += sent;
                lastProgress = Stopwatch.GetTimestamp();
            }
            else
            {
                Assert.Equal(SocketError.WouldBlock, error);
                await Task.Delay(5);
            }
        }

        // Sockets on the way (a few 64 KiB buffers, kernel-rounded) plus the proxy's 256 KiB: far below what was offered.
        Assert.InRange(taken, 1, 2 * 1024 * 1024);
        Assert.True(proxy.Counters.BytesUp < taken, "the proxy wrote more than the sender gave it");
    }

    [Fact]
    public async Task A_stall_carries_no_bytes_for_its_duration_and_delivers_them_after()
    {
        // 1.5 s outages every 2 s: a steady trickle must show a silence of about an outage.
        await using var setup = await EchoBehindProxy.StartAsync("stall=1500ms/2s,seed=11");
        using var client = await setup.ConnectAsync();
        const int messages = 180;
        var arrivals = new List<long>();
        var receiving = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            var received = 0;
            using var timeout = new CancellationTokenSource(Patience);
            while (received < messages)
            {
                var got = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                Assert.True(got > 0, "the connection closed");
                received += got;
                arrivals.Add(Stopwatch.GetTimestamp());
            }
        });

        for (var i = 0; i < messages; i++)
        {
            await client.SendAsync(new[] { (byte)i }, SocketFlags.None);
            await Task.Delay(20);
        }

        await receiving;
        var longestSilence = TimeSpan.Zero;
        for (var i = 1; i < arrivals.Count; i++)
        {
            var gap = Stopwatch.GetElapsedTime(arrivals[i - 1], arrivals[i]);
            longestSilence = gap > longestSilence ? gap : longestSilence;
        }

        Assert.True(longestSilence >= TimeSpan.FromMilliseconds(1400), $"the longest silence was {longestSilence.TotalMilliseconds:F0} ms, shorter than the 1.5 s outage");
        Assert.True(setup.Proxy.Counters.StallDelays > 0);
    }

    [Fact]
    public async Task A_reset_makes_the_client_see_a_connection_reset()
    {
        // Twenty resets a second: the connection lives ~50 ms on average.
        await using var setup = await EchoBehindProxy.StartAsync("reset=20/s,seed=5");

        var error = await ConnectAndReceiveUntilErrorAsync(setup.Proxy.EndPoint, ping: true);

        Assert.Equal(SocketError.ConnectionReset, error);
        await WaitUntilAsync(() => setup.Proxy.Counters.Resets == 1, "the proxy counted its reset");
        Assert.Equal(0, setup.Proxy.Counters.Open);
    }

    [Fact]
    public async Task Reset_after_a_number_of_bytes_carries_exactly_that_many_then_resets()
    {
        await using var setup = await EchoBehindProxy.StartAsync("reset-after=1000b");
        using var client = await setup.ConnectAsync();

        await client.SendAsync(RandomBytes(600, 2), SocketFlags.None);
        var error = await ReceiveUntilErrorAsync(client, ping: false);

        Assert.Equal(SocketError.ConnectionReset, error);
        await WaitUntilAsync(() => setup.Proxy.Counters.Resets == 1, "the proxy counted its reset");
        var counters = setup.Proxy.Counters;
        Assert.Equal(600, counters.BytesUp);
        Assert.Equal(400, counters.BytesDown);
    }

    [Fact]
    public async Task Slicing_holds_each_slice_its_delay_and_delivers_the_same_bytes()
    {
        // 600 bytes in slices of 5 to 15 bytes, 5 ms apart: at least 40 slices each way, so the last byte
        // comes back 195 ms or more after the send. A busy machine only adds to that, so only the floor is
        // asserted; counting the client's reads was not enough (a reader scheduled late finds every slice
        // already there and takes them in one read).
        var data = RandomBytes(600, 4);
        var sliced = await EchoReadsAsync("slice=10b,slice-variation=5b,slice-delay=5ms", data);

        Assert.Equal(data, sliced.Bytes);
        Assert.True(sliced.Took >= TimeSpan.FromMilliseconds(195), $"the slices came back in {sliced.Took.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public async Task Loss_delays_chunks_by_the_retransmission_time_and_drops_no_byte()
    {
        await using var setup = await EchoBehindProxy.StartAsync("loss=40%,retransmit=200ms,seed=8");
        using var client = await setup.ConnectAsync();
        var delayed = 0;

        for (var i = 0; i < 12; i++)
        {
            delayed += await TimedRoundTripAsync(client, i) >= TimeSpan.FromMilliseconds(200) ? 1 : 0;
        }

        var losses = setup.Proxy.Counters.LossDelays;
        Assert.True(losses > 0, "no chunk was picked as lost at 40 %");
        Assert.True(delayed > 0, "no round trip took the 200 ms retransmission");
    }

    [Fact]
    public async Task The_same_seed_delays_the_same_round_trips()
    {
        var first = await LossPatternAsync(seed: 21);
        var again = await LossPatternAsync(seed: 21);
        var other = await LossPatternAsync(seed: 22);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task An_unreachable_upstream_resets_the_client_and_is_counted()
    {
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var nobody = (IPEndPoint)closed.LocalEndPoint!; // bound, never listening: connections are refused
        await using var proxy = ImpairmentProxy.Start(NetworkProfile.Parse("none"), new IPEndPoint(IPAddress.Loopback, 0), nobody);

        var error = await ConnectAndReceiveUntilErrorAsync(proxy.EndPoint, ping: false);

        Assert.Equal(SocketError.ConnectionReset, error);
        Assert.Equal(1, proxy.Counters.UpstreamFailures);
    }

    [Fact]
    public async Task A_clients_close_reaches_the_server_and_the_connection_ends_cleanly()
    {
        await using var setup = await EchoBehindProxy.StartAsync("latency=10ms");
        using var client = await setup.ConnectAsync();
        await client.SendAsync("bye"u8.ToArray(), SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);

        var (echoed, _) = await ReceiveExactlyAsync(client, 3);
        using var timeout = new CancellationTokenSource(Patience);
        var end = await client.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token);

        Assert.Equal("bye"u8.ToArray(), echoed);
        Assert.Equal(0, end);
        await WaitUntilAsync(() => setup.Proxy.Counters.Open == 0, "the proxy closed both sides");
        Assert.Equal(0, setup.Proxy.Counters.PeerResets);
    }

    [Fact]
    public async Task Relaying_chunks_allocates_nothing_once_warm()
    {
        await using var setup = await EchoBehindProxy.StartAsync("latency=1ms,jitter=1ms,loss=5%,retransmit=2ms,slice=64b,slice-variation=32b,bandwidth=100mbit,stall=10ms/1s,seed=2");
        using var client = await setup.ConnectAsync();
        var message = RandomBytes(300, 6);
        await RoundTripsAsync(client, message, 200);
        var warm = await SettledAllocationAsync(setup.Proxy);

        await RoundTripsAsync(client, message, 500);
        var after = await SettledAllocationAsync(setup.Proxy);

        Assert.True(warm > 0, "the loop never sampled its allocations");
        Assert.Equal(warm, after);
    }

    // One 4-byte message there and back (one chunk each way); checks the echo and returns the time taken.
    private static async Task<TimeSpan> TimedRoundTripAsync(Socket client, int number)
    {
        var started = Stopwatch.GetTimestamp();
        await client.SendAsync(BitConverter.GetBytes(number), SocketFlags.None);
        var (echoed, _) = await ReceiveExactlyAsync(client, 4);
        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.Equal(number, BitConverter.ToInt32(echoed));
        return elapsed;
    }

    private static async Task RoundTripsAsync(Socket client, byte[] message, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await client.SendAsync(message, SocketFlags.None);
            var (echoed, _) = await ReceiveExactlyAsync(client, message.Length);
            Assert.Equal(message, echoed);
        }
    }

    // The loop samples its allocation counter every 100 ms: wait for a sample taken after the traffic.
    private static async Task<long> SettledAllocationAsync(ImpairmentProxy proxy)
    {
        await Task.Delay(250);
        return proxy.LoopAllocatedBytes;
    }

    private static async Task<TimeSpan> EchoTimeAsync(string profile, int bytes)
    {
        await using var setup = await EchoBehindProxy.StartAsync(profile);
        using var client = await setup.ConnectAsync();
        var data = RandomBytes(bytes, 3);
        var started = Stopwatch.GetTimestamp();
        var sending = client.SendAsync(data, SocketFlags.None);
        var (echoed, _) = await ReceiveExactlyAsync(client, bytes);
        await sending;
        var elapsed = Stopwatch.GetElapsedTime(started);
        Assert.Equal(data, echoed);
        return elapsed;
    }

    // The echo of data through a proxy with this profile, and how long it took from the send to its last byte.
    private static async Task<(byte[] Bytes, TimeSpan Took)> EchoReadsAsync(string profile, byte[] data)
    {
        await using var setup = await EchoBehindProxy.StartAsync(profile);
        using var client = await setup.ConnectAsync();
        var sent = Stopwatch.GetTimestamp();
        await client.SendAsync(data, SocketFlags.None);
        var (bytes, _) = await ReceiveExactlyAsync(client, data.Length);
        return (bytes, Stopwatch.GetElapsedTime(sent));
    }

    // Which of 16 round trips (one chunk each way) took the 300 ms retransmission.
    private static async Task<List<bool>> LossPatternAsync(int seed)
    {
        await using var setup = await EchoBehindProxy.StartAsync($"loss=30%,retransmit=300ms,seed={seed}");
        using var client = await setup.ConnectAsync();
        var pattern = new List<bool>();
        for (var i = 0; i < 16; i++)
        {
            pattern.Add(await TimedRoundTripAsync(client, i) >= TimeSpan.FromMilliseconds(300));
        }

        return pattern;
    }

    // A reset can beat the client's own connect completion, and then the connect reports it.
    private static async Task<SocketError> ConnectAndReceiveUntilErrorAsync(IPEndPoint endPoint, bool ping)
    {
        try
        {
            using var client = await ConnectAsync(endPoint);
            return await ReceiveUntilErrorAsync(client, ping);
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    }

    // Reads (sending a byte every 20 ms when asked, so the echo keeps the link busy) until the socket fails or closes.
    private static async Task<SocketError> ReceiveUntilErrorAsync(Socket client, bool ping)
    {
        var buffer = new byte[4096];
        var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (ping && client.Send([1], SocketFlags.None, out var sendError) == 0 && sendError != SocketError.Success)
            {
                return sendError;
            }

            if (client.Poll(TimeSpan.FromMilliseconds(20), SelectMode.SelectRead))
            {
                var got = client.Receive(buffer, SocketFlags.None, out var error);
                if (error != SocketError.Success)
                {
                    return error;
                }

                if (got == 0)
                {
                    return SocketError.Disconnecting;
                }
            }

            await Task.Yield();
        }

        return SocketError.TimedOut;
    }
}
