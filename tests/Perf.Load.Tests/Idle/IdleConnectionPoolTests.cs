using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections;
using Perf.Load.Engine;
using Perf.Load.Idle;
using Perf.Load.Targets.Echo;
using Perf.Load.Processes;
using Perf.Testing;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Server;

namespace Perf.Load.Tests.Idle;

/// <summary>Idle clients held to real targets on loopback: the relay over Noise/TCP and WebSocket, the echo floor, nats-server.</summary>
public sealed class IdleConnectionPoolTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_relay_holds_every_idle_client_as_an_authenticated_connection(bool webSocket)
    {
        using var key = X25519KeyPair.Generate();
        var secret = RandomNumberGenerator.GetBytes(32);
        await using var relay = await StartRelayAsync(key, secret, null);
        IdleProtocol protocol = webSocket
            ? new WebSocketIdleProtocol(relay.WebSocketEndPoint!, secret)
            : new NoiseIdleProtocol(key.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
        await using var pool = new IdleConnectionPool(webSocket ? relay.WebSocketEndPoint! : relay.TcpEndPoint, protocol, 120, inFlight: 16);

        var failed = await pool.OpenAsync(120, null, CancellationToken.None);

        // Each opening ended with the relay's PONG, which it sends only on an authenticated connection.
        Assert.Equal(0, failed);
        Assert.Equal(120, pool.CountOpen());
    }

    [Fact]
    public async Task Clients_are_spread_over_loopback_source_addresses()
    {
        using var key = X25519KeyPair.Generate();
        var sources = new ConcurrentBag<IPAddress>();
        await using var relay = await StartRelayAsync(key, RandomNumberGenerator.GetBytes(32), next => connection =>
        {
            sources.Add(((IPEndPoint)connection.RemoteEndPoint!).Address);
            return next(connection);
        });
        await using var pool = new IdleConnectionPool(relay.TcpEndPoint, new NoiseIdleProtocol(key.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto), 7, inFlight: 4, clientsPerSourceAddress: 3);

        Assert.Equal(0, await pool.OpenAsync(7, null, CancellationToken.None));

        Assert.Equal(["127.0.0.2", "127.0.0.3", "127.0.0.4"], sources.Select(a => a.ToString()).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(3, sources.Count(a => a.ToString() == "127.0.0.2"));
    }

    [Fact]
    public async Task Clients_are_spread_over_a_clusters_nodes_and_a_pools_block_of_source_addresses()
    {
        var sources = new ConcurrentBag<(int Listener, string Source)>();
        var accepted = new ConcurrentBag<System.Net.Sockets.Socket>(); // held: a collected socket would close, and CountOpen see it
        using var first = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        using var second = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        var accepting = new List<Task>();
        foreach (var (listener, index) in new[] { (first, 0), (second, 1) })
        {
            listener.Start();
            accepting.Add(Task.Run(async () =>
            {
                for (var i = 0; i < 3; i++)
                {
                    var socket = await listener.AcceptSocketAsync();
                    accepted.Add(socket);
                    sources.Add((index, ((IPEndPoint)socket.RemoteEndPoint!).Address.ToString()));
                }
            }));
        }

        // Block 2 of a shard: its addresses start 2 × 64 after 127.0.0.2.
        await using var pool = new IdleConnectionPool([(IPEndPoint)first.LocalEndpoint, (IPEndPoint)second.LocalEndpoint], new ConnectOnly(), 6, inFlight: 2, clientsPerSourceAddress: 4, sourceBlock: 2);
        Assert.Equal(0, await pool.OpenAsync(6, null, CancellationToken.None));
        await Task.WhenAll(accepting).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, sources.Count(s => s.Listener == 0));
        Assert.Equal(3, sources.Count(s => s.Listener == 1));
        Assert.Equal(["127.0.0.130", "127.0.0.131"], sources.Select(s => s.Source).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(6, pool.CountOpen());
        foreach (var socket in accepted)
        {
            socket.Dispose();
        }
    }

    [Fact]
    public async Task A_reconnect_storm_drops_and_reauthenticates_the_same_identities()
    {
        using var key = X25519KeyPair.Generate();
        await using var relay = await StartRelayAsync(key, RandomNumberGenerator.GetBytes(32), null);
        await using var pool = new IdleConnectionPool(relay.TcpEndPoint, new NoiseIdleProtocol(key.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto), 60, inFlight: 16);
        await pool.OpenAsync(60, null, CancellationToken.None);

        var storm = await IdleConnections.StormAsync(pool, 40, GeneratorResources.Instance, CancellationToken.None);

        Assert.Equal(40, storm.Clients);
        Assert.Equal(0, storm.Failed);
        Assert.Equal(16, storm.InFlight);
        Assert.True(storm.Seconds > 0 && storm.HandshakesPerS > 0);
        Assert.Equal(60, pool.CountOpen());
    }

    [Fact]
    public async Task A_wrong_relay_key_fails_each_opening_and_says_why()
    {
        using var key = X25519KeyPair.Generate();
        using var other = X25519KeyPair.Generate();
        await using var relay = await StartRelayAsync(key, RandomNumberGenerator.GetBytes(32), null);
        await using var pool = new IdleConnectionPool(relay.TcpEndPoint, new NoiseIdleProtocol(other.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto), 5, inFlight: 5);

        Assert.Equal(5, await pool.OpenAsync(5, null, CancellationToken.None));

        Assert.Equal(0, pool.CountOpen());
        Assert.Contains("different key", pool.FirstError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_echo_floor_holds_idle_clients_and_their_memory_is_measured()
    {
        await using var echo = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        await using var pool = new IdleConnectionPool(echo.EndPoint, new TcpIdleProtocol(), 50, inFlight: 8);

        var memory = await IdleConnections.OpenAsync(pool, 50, GeneratorResources.Instance, null, CancellationToken.None);

        Assert.Equal(50, memory.Held);
        Assert.Equal(0, memory.Failed);
        Assert.True(memory.TargetBytesPerConnection >= 0 && memory.GeneratorBytesPerConnection >= 0);
        if (OperatingSystem.IsLinux() && memory.KernelBytesPerConnection is not null)
        {
            // Both ends of every connection are sockets on this machine: the kernel's figure is read
            // (machine-wide: when other processes' sockets closed meanwhile, it is left out, never
            // recorded as 0; KernelSocketMemoryTests covers the reading itself).
            Assert.True(memory.KernelBytesPerConnection >= 0);
            Assert.StartsWith("sockstat", memory.KernelSource, StringComparison.Ordinal);
        }

        // The echo floor answers no keep-alive: nothing to sweep.
        Assert.Null(await IdleConnections.KeepAliveCostAsync(pool, GeneratorResources.Instance, CancellationToken.None));
    }

    [Fact]
    public async Task Messages_left_for_recipients_that_never_connect_are_accepted_and_their_memory_read()
    {
        using var key = X25519KeyPair.Generate();
        await using var relay = await StartRelayAsync(key, RandomNumberGenerator.GetBytes(32), null);
        var protocol = new NoiseIdleProtocol(key.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);

        // 250 messages from 16 senders to 25 recipients: every one answered ACCEPTED (a memory store holds them).
        var held = await HeldMessageCost.MeasureAsync(relay.TcpEndPoint, protocol, 250, 300, GeneratorResources.Instance, null, null, CancellationToken.None);

        Assert.Equal(250, held.Accepted);
        Assert.True(held.TargetBytesPerMessage >= 0);
        Assert.Null(held.BesideBytesPerMessage);
        Assert.Null(held.DiskBytesPerMessage);
    }

    [Fact]
    public async Task Clients_that_cannot_send_messages_say_so()
    {
        await using var echo = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        await using var pool = new IdleConnectionPool(echo.EndPoint, new TcpIdleProtocol(), 2, inFlight: 2);
        Assert.Equal(0, await pool.OpenAsync(2, null, CancellationToken.None));

        await Assert.ThrowsAsync<NotSupportedException>(() => pool.SendHeldAsync(10, 10, 100, CancellationToken.None));
    }

    [Fact]
    public async Task A_keep_alive_sweep_waits_for_every_clients_pong()
    {
        using var key = X25519KeyPair.Generate();
        await using var relay = await StartRelayAsync(key, RandomNumberGenerator.GetBytes(32), null);
        await using var pool = new IdleConnectionPool(relay.TcpEndPoint, new NoiseIdleProtocol(key.PublicKey.ToArray(), AeadAlgorithm.Aes256Gcm, AeadBackend.Auto), 80, inFlight: 16);
        Assert.Equal(0, await pool.OpenAsync(80, null, CancellationToken.None));
        pool.KeepAlivePaused = true;

        // Twice: the second sweep's answers are its own, the first's read away before it.
        Assert.Equal(80, await pool.KeepAliveEveryoneAsync(TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal(80, await pool.KeepAliveEveryoneAsync(TimeSpan.FromSeconds(30), CancellationToken.None));

        Assert.True(pool.KeepAlivePaused);
        Assert.Equal(80, pool.CountOpen());
    }

    [SkippableFact]
    public async Task Nats_server_holds_idle_clients()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        await using var nats = await NatsServerProcess.StartAsync(CancellationToken.None);
        await using var pool = new IdleConnectionPool(new IPEndPoint(IPAddress.Loopback, nats.Port), new NatsIdleProtocol(), 30, inFlight: 8);

        Assert.Equal(0, await pool.OpenAsync(30, null, CancellationToken.None));

        Assert.Equal(30, pool.CountOpen());
    }

    private static Task<RelayServer> StartRelayAsync(X25519KeyPair key, byte[] secret, Func<ConnectionDelegate, ConnectionDelegate>? middleware) =>
        RelayServer.StartAsync(new RelayOptions
        {
            TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            WebSocketEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            StaticKey = key,
            WebSocketSecret = secret,
            TcpMiddleware = middleware,
        });

    // Open as soon as connected: the listeners here only count who connects from where.
    private sealed class ConnectOnly : IdleProtocol
    {
        public override Task<object?> OpenAsync(System.Net.Sockets.Socket socket, int client, CancellationToken cancellationToken) => Task.FromResult<object?>(null);
    }
}

/// <summary>Keep-alives: sent after the interval of silence, not while paused (a measured run).</summary>
public sealed class IdleKeepAliveTests
{
    [Fact]
    public async Task Idle_clients_send_keep_alives_unless_paused()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var received = new ConcurrentDictionary<int, int>();
        using var stop = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            var readers = new List<Task>();
            for (var i = 0; i < 3; i++)
            {
                var socket = await listener.AcceptSocketAsync(stop.Token);
                var id = i;
                readers.Add(Task.Run(async () =>
                {
                    var buffer = new byte[64];
                    int read;
                    while ((read = await socket.ReceiveAsync(buffer)) > 0)
                    {
                        received.AddOrUpdate(id, read, (_, n) => n + read);
                    }
                }));
            }

            await Task.WhenAll(readers);
        });
        await using var pool = new IdleConnectionPool((IPEndPoint)listener.LocalEndpoint, new OneByteKeepAlive(), 3, inFlight: 3, keepAliveInterval: TimeSpan.FromMilliseconds(200));
        pool.KeepAlivePaused = true;
        Assert.Equal(0, await pool.OpenAsync(3, null, CancellationToken.None));

        await Task.Delay(800);
        Assert.Equal(0, received.Values.Sum());
        pool.KeepAlivePaused = false;
        await Eventually.TrueAsync(() => received.Count == 3 && received.Values.All(bytes => bytes >= 2), "two keep-alives on every connection");

        Assert.All(received.Values, bytes => Assert.InRange(bytes, 2, 20));
        Assert.Equal(3, pool.CountOpen());
    }

    private sealed class OneByteKeepAlive : IdleProtocol
    {
        public override Task<object?> OpenAsync(System.Net.Sockets.Socket socket, int client, CancellationToken cancellationToken) => Task.FromResult<object?>(null);

        public override void KeepAlive(System.Net.Sockets.Socket socket, object? state) => socket.Send([0x2A]);
    }
}
