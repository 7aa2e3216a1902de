using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Relay.Server.Tests;

/// <summary>Timeouts and limits: handshake and idle timeouts, the connection limit, the in-flight cap.</summary>
public sealed class RelayLimitsTests
{
    [Fact]
    public async Task Silent_sockets_are_closed_at_the_handshake_timeout_while_a_new_client_gets_through_and_an_idle_client_is_closed()
    {
        // As `perf relay --handshake-timeout 2s --idle-timeout 3s --handshake-rate 0`: the 500 silent
        // sockets come from one address, whose handshake budget (a burst of 500) would otherwise
        // refuse the new client; that budget has its own tests (HandshakeDefenceTests).
        await using var relay = await TestRelay.StartAsync(o => o with { HandshakeTimeout = TimeSpan.FromSeconds(2), IdleTimeout = TimeSpan.FromSeconds(3), HandshakeRatePerSource = 0 });
        using var idleKey = X25519KeyPair.Generate();
        await using var idle = await relay.TcpAsync(idleKey);
        var started = Stopwatch.StartNew();
        var silent = new List<Socket>();
        try
        {
            for (var i = 0; i < 500; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(i % 5 == 0 ? relay.Server.WebSocketEndPoint! : relay.Server.TcpEndPoint);
                silent.Add(socket);
            }

            // A new client completes its handshake and is served while 500 sockets sit there.
            using var aliceKey = X25519KeyPair.Generate();
            using var bobKey = X25519KeyPair.Generate();
            await using var alice = await relay.TcpAsync(aliceKey);
            await using var bob = await relay.WebSocketAsync(bobKey);
            await alice.SendAndExpectAcceptedAsync(1, bobKey, [7]);
            Assert.Equal(new byte[] { 7 }, (await bob.ExpectDeliverAsync()).Envelope);

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(7) - started.Elapsed);
            var closed = await Task.WhenAll(silent.Select(s => ClosedByPeerAsync(s, deadline.Token)));
            Assert.All(closed, Assert.True);

            // The authenticated client that sent nothing is told why and closed.
            var error = await idle.ExpectAsync(FrameType.Error);
            Assert.Equal((byte)FrameError.IdleTimeout, error.Code);
            Assert.Null(await idle.ReadAsync());
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task A_client_that_pings_below_the_idle_timeout_stays_connected()
    {
        // 300 ms between PINGs against a 2 s idle timeout (a margin a busy machine keeps), for
        // 4.8 s: more than twice the timeout, so a relay that ignored PINGs would have closed it.
        await using var relay = await TestRelay.StartAsync(o => o with { IdleTimeout = TimeSpan.FromSeconds(2) });
        using var key = X25519KeyPair.Generate();
        await using var client = await relay.TcpAsync(key);
        for (var i = 0; i < 16; i++)
        {
            await Task.Delay(300);
            await client.ExpectNothingPendingAsync(); // PING, PONG
        }
    }

    [Fact]
    public async Task Past_the_connection_limit_a_new_connection_is_refused_before_its_handshake_and_room_comes_back()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { MaxConnections = 2 });
        var keys = Enumerable.Range(0, 3).Select(_ => X25519KeyPair.Generate()).ToArray();
        var first = await relay.TcpAsync(keys[0]);
        await using var second = await relay.WebSocketAsync(keys[1]);

        await Assert.ThrowsAsync<RelayClientException>(() => relay.TcpAsync(keys[2]));
        await Assert.ThrowsAsync<RelayClientException>(() => relay.WebSocketAsync(keys[2]));

        await first.DisposeAsync();
        var deadline = DateTime.UtcNow + RelayClientExpectations.Patience;
        RelayClientConnection? third = null;
        while (third is null)
        {
            try
            {
                third = await relay.TcpAsync(keys[2]);
            }
            catch (RelayClientException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50); // the first connection's slot frees once the relay saw its close
            }
        }

        await third.ExpectNothingPendingAsync();
        await third.DisposeAsync();
        Array.ForEach(keys, k => k.Dispose());
    }

    [Fact]
    public async Task Delivers_in_flight_stop_at_the_cap_until_acks_make_room()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { MaxDeliversInFlight = 3 });
        using var aliceKey = X25519KeyPair.Generate();
        using var bobKey = X25519KeyPair.Generate();
        await using (var alice = await relay.TcpAsync(aliceKey))
        {
            for (var i = 0; i < 10; i++)
            {
                await alice.SendAndExpectAcceptedAsync((ulong)i, bobKey, [(byte)i]);
            }
        }

        await using var bob = await relay.TcpAsync(bobKey);
        var first = new List<(ulong RelayId, byte Body)>();
        for (var i = 0; i < 3; i++)
        {
            var d = await bob.ExpectDeliverAsync();
            first.Add((d.RelayId, d.Envelope[0]));
        }

        await bob.ExpectNothingPendingAsync(); // the fourth is held back
        bob.Ack(first[0].RelayId);
        await bob.FlushAsync();
        Assert.Equal(3, (await bob.ExpectDeliverAsync()).Envelope[0]);
        await bob.ExpectNothingPendingAsync();
        Assert.Equal(new byte[] { 0, 1, 2 }, first.Select(f => f.Body));
    }

    // True once the relay closed the socket (EOF or reset) before the deadline.
    private static async Task<bool> ClosedByPeerAsync(Socket socket, CancellationToken deadline)
    {
        try
        {
            var buffer = new byte[1024];
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, deadline) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
