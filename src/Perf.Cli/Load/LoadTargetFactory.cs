using System.Globalization;
using System.Net;
using Perf.Load.Idle;
using Perf.Load.Os;
using Perf.Load.Processes;
using Perf.Load.Targets;
using Perf.Load.Targets.Echo;
using Perf.Load.Targets.JetStream;
using Perf.Load.Targets.Nats;
using Perf.Load.Targets.Relay;
using Relay.Crypto.KeyAgreement;
using Relay.Server;
using Relay.Crypto.Aead;

namespace Perf.Cli.Load;

/// <summary>
/// Turns a <c>--target</c> value into a <see cref="TargetHandle"/>: a full address
/// (<c>echo://127.0.0.1:7500</c>) points at a server the user started; a bare name
/// (<c>echo</c>, ...) starts that server on a free loopback port, embedded in this process or,
/// with <c>--target-process</c>, as its own process (nats-server always is one), so one command
/// measures without any setup.
/// </summary>
internal static class LoadTargetFactory
{
    /// <summary>The bare names accepted for embedded targets.</summary>
    public const string EmbeddedNames = "relay-tcp, relay-ws, nats, jetstream, echo";

    /// <summary>The <c>--store</c> value that starts a <c>nats-server -js</c> beside the relay process.</summary>
    public const string StartedStore = "nats";

    /// <summary>Whether <paramref name="text"/> is a bare target name (one this command starts).</summary>
    public static bool IsBareName(string text) => text.Trim().ToLowerInvariant() is "relay-tcp" or "relay-ws" or "nats" or "jetstream" or "echo";

    /// <summary>Opens the target; disposing the handle stops any server it started.</summary>
    /// <exception cref="LoadTargetException">An unknown or unavailable target; the message says how to fix it.</exception>
    public static async Task<TargetHandle> OpenAsync(string text, LoadTargetOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            var name = text.Trim().ToLowerInvariant();
            return name switch
            {
                "echo" when options.TargetProcess => await EchoProcessAsync(options, cancellationToken).ConfigureAwait(false),
                "echo" => await EmbeddedEchoAsync(cancellationToken).ConfigureAwait(false),
                "nats" => await NatsProcessAsync(options, cancellationToken).ConfigureAwait(false),
                "jetstream" => await JetStreamFloorAsync(options, cancellationToken).ConfigureAwait(false),
                "relay-tcp" or "relay-ws" when options.TargetProcess => await RelayProcessAsync(name == "relay-ws", options, cancellationToken).ConfigureAwait(false),
                "relay-tcp" or "relay-ws" => await EmbeddedRelayAsync(name == "relay-ws", options, cancellationToken).ConfigureAwait(false),
                _ => throw new LoadTargetException($"unknown embedded target '{text}': use one of {EmbeddedNames}, or an address SCHEME://HOST:PORT with SCHEME one of {TargetAddress.KnownSchemes}."),
            };
        }

        if (!TargetAddress.TryParse(text, out var address, out var error))
        {
            throw new LoadTargetException(error!);
        }

        var endPoint = await address!.ResolveAsync(cancellationToken).ConfigureAwait(false);
        return address.Scheme switch
        {
            TargetScheme.Echo => new TargetHandle("echo", address.ToString(), endPoint, at => new EchoTarget(at), null),
            TargetScheme.Nats => new TargetHandle("nats", address.ToString(), endPoint, at => new NatsTarget($"nats://{at}", Algorithm(options), Backend(options)), null),
            TargetScheme.RelayTcp => new TargetHandle("relay-tcp", address.ToString(), endPoint, at => RelayTarget.Tcp(at, RelayKey(options), Algorithm(options), Backend(options), options.Mode), null),
            TargetScheme.RelayWs => new TargetHandle("relay-ws", address.ToString(), endPoint, at => RelayTarget.WebSocket(at, WsSecret(options), Algorithm(options), Backend(options), options.Mode), null),
            _ => throw new ArgumentOutOfRangeException(nameof(text), address.Scheme, "every target scheme is handled above"),
        };
    }

    private static async Task<TargetHandle> NatsProcessAsync(LoadTargetOptions options, CancellationToken cancellationToken)
    {
        var server = await NatsServerProcess.StartAsync(options.TargetCpus, cancellationToken).ConfigureAwait(false);
        var endPoint = new IPEndPoint(IPAddress.Loopback, server.Port);
        return new TargetHandle("nats", $"{server.Url} ({Where(server.Process)})", endPoint, at => new NatsTarget($"nats://{at}", Algorithm(options), Backend(options)), server, server.Process, new IdleTarget(endPoint, () => new NatsIdleProtocol()));
    }

    // The durability floor: the same messages through JetStream alone, on a nats-server -js of its own (pinned like a target process).
    private static async Task<TargetHandle> JetStreamFloorAsync(LoadTargetOptions options, CancellationToken cancellationToken)
    {
        var server = await JetStreamServerProcess.StartAsync(options.TargetCpus, cancellationToken).ConfigureAwait(false);
        var endPoint = new IPEndPoint(IPAddress.Loopback, server.Port);
        return new TargetHandle("jetstream", $"{server.Url} ({Where(server.Process)}, JetStream)", endPoint, at => new JetStreamFloorTarget($"nats://{at}", Algorithm(options), Backend(options), TimeSpan.FromMicroseconds(options.StorePublishWindowMicroseconds)), server, server.Process, new IdleTarget(endPoint, () => new NatsIdleProtocol()));
    }

    private static async Task<TargetHandle> EchoProcessAsync(LoadTargetOptions options, CancellationToken cancellationToken)
    {
        var echo = await EchoProcess.StartAsync(PerfChildCommand.StartInfo(), options.TargetCpus, cancellationToken).ConfigureAwait(false);
        return new TargetHandle("echo", $"echo://{echo.EndPoint} ({Where(echo.Process)})", echo.EndPoint, at => new EchoTarget(at), echo, echo.Process, new IdleTarget(echo.EndPoint, () => new TcpIdleProtocol()));
    }

    private static async Task<TargetHandle> RelayProcessAsync(bool webSocket, LoadTargetOptions options, CancellationToken cancellationToken)
    {
        var store = await StoreBeside.OpenAsync(options.Store, options.TargetCpus, cancellationToken).ConfigureAwait(false);
        RelayProcess relay;
        try
        {
            relay = await RelayProcess.StartAsync(PerfChildCommand.StartInfo(), options.Cipher, options.Backend, options.TargetCpus, cancellationToken, store is null ? null : ["--store", store.Url, "--store-publish-window", options.StorePublishWindowMicroseconds.ToString(CultureInfo.InvariantCulture)]).ConfigureAwait(false);
        }
        catch
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        var where = Where(relay.Process) + (store is null ? "" : $"; store {store.Description}");
        var servers = new Owned(relay, store);
        var metrics = new Uri($"http://{relay.WebSocketEndPoint}/metrics");
        return webSocket
            ? new TargetHandle("relay-ws", $"relay-ws://{relay.WebSocketEndPoint} ({where})", relay.WebSocketEndPoint, at => RelayTarget.WebSocket(at, relay.WebSocketSecret, Algorithm(options), Backend(options), options.Mode), servers, relay.Process,
                new IdleTarget(relay.WebSocketEndPoint, () => new WebSocketIdleProtocol(relay.WebSocketEndPoint, relay.WebSocketSecret)), store, metrics)
            : new TargetHandle("relay-tcp", $"relay-tcp://{relay.TcpEndPoint} ({where})", relay.TcpEndPoint, at => RelayTarget.Tcp(at, relay.RelayKey, Algorithm(options), Backend(options), options.Mode), servers, relay.Process,
                new IdleTarget(relay.TcpEndPoint, () => new NoiseIdleProtocol(relay.RelayKey, Algorithm(options), Backend(options))), store, metrics);
    }

    // "perf relay, process 1234, CPUs 1": scripts and tests find the process id here.
    private static string Where(ChildProcess process) =>
        $"{process.Name}, process {process.ProcessId}{(process.Cpus is { } cpus ? $", CPUs {cpus}" : "")}";

    private static async Task<TargetHandle> EmbeddedRelayAsync(bool webSocket, LoadTargetOptions options, CancellationToken cancellationToken)
    {
        var key = X25519KeyPair.Generate();
        var secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var server = await RelayServer.StartAsync(new RelayOptions
        {
            TcpEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            WebSocketEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Cipher = Algorithm(options),
            Backend = Backend(options),
            StaticKey = key,
            WebSocketSecret = secret,
            SendRatePerConnection = 0, // as RelayProcess.LoadClientLimits: a load connection is many users
            MaxAnonymousConnectionsPerSource = 0,
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var relayKey = key.PublicKey.ToArray();
        return webSocket
            ? new TargetHandle("relay-ws", $"relay-ws://{server.WebSocketEndPoint} (embedded relay)", server.WebSocketEndPoint!, at => RelayTarget.WebSocket(at, secret, Algorithm(options), Backend(options), options.Mode), new EmbeddedRelay(server, key))
            : new TargetHandle("relay-tcp", $"relay-tcp://{server.TcpEndPoint} (embedded relay)", server.TcpEndPoint, at => RelayTarget.Tcp(at, relayKey, Algorithm(options), Backend(options), options.Mode), new EmbeddedRelay(server, key));
    }

    /// <summary>The relay's key to pin, from <c>--relay-key</c>.</summary>
    /// <exception cref="LoadTargetException">Missing or not 32 bytes of base64.</exception>
    internal static byte[] RelayKey(LoadTargetOptions options)
    {
        Span<byte> key = stackalloc byte[36];
        return options.RelayKey is not null && Convert.TryFromBase64String(options.RelayKey, key, out var written) && written == 32
            ? key[..32].ToArray()
            : throw new LoadTargetException("relay-tcp needs the relay's public key to pin: pass --relay-key with the key= value perf relay printed (32 bytes of base64).");
    }

    /// <summary>The gateway's token secret, from <c>--ws-secret</c>.</summary>
    /// <exception cref="LoadTargetException">Missing or shorter than 16 characters.</exception>
    internal static byte[] WsSecret(LoadTargetOptions options) =>
        options.WsSecret is { Length: >= 16 }
            ? System.Text.Encoding.UTF8.GetBytes(options.WsSecret)
            : throw new LoadTargetException("relay-ws needs the relay's WebSocket secret to mint tokens: pass --ws-secret with the ws-secret perf relay printed.");

    private static AeadAlgorithm Algorithm(LoadTargetOptions options) => AeadAlgorithm.Parse(options.Cipher);

    private static AeadBackend Backend(LoadTargetOptions options) => AeadBackend.Parse(options.Backend);

    private static async Task<TargetHandle> EmbeddedEchoAsync(CancellationToken cancellationToken)
    {
        var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), cancellationToken).ConfigureAwait(false);
        return new TargetHandle("echo", $"echo://{server.EndPoint} (embedded)", server.EndPoint, at => new EchoTarget(at), server);
    }
}

/// <summary>Options some targets need (relay key, WebSocket secret, cipher, backend) and where bare-name targets run.</summary>
/// <param name="RelayKey">The relay's static public key, base64, to pin (relay-tcp).</param>
/// <param name="WsSecret">The relay's WebSocket token secret (relay-ws).</param>
/// <param name="Cipher">E2E and transport cipher name.</param>
/// <param name="Backend">AEAD backend name.</param>
/// <param name="TargetProcess">Start bare-name targets as their own process (<c>perf relay</c>, <c>perf echo</c>), to measure their CPU and memory apart from the generator.</param>
/// <param name="TargetCpus">The CPUs to pin a target process to, or <c>null</c>.</param>
/// <param name="Mode">Relay targets: sealed sender and padding (plain, unpadded when <c>null</c>).</param>
/// <param name="Store">A relay process's <c>--store</c>: <c>nats</c> (start a <c>nats-server -js</c> beside it), <c>nats://HOST:PORT[,...]</c>, or <c>null</c> for its memory store.</param>
/// <param name="StorePublishWindowMicroseconds">With <paramref name="Store"/>: the relay process's <c>--store-publish-window</c> (0: each publish leaves at once).</param>
internal sealed record LoadTargetOptions(string? RelayKey, string? WsSecret, string Cipher, string Backend, bool TargetProcess = false, CpuSet? TargetCpus = null, RelayTargetMode? Mode = null, string? Store = null, int StorePublishWindowMicroseconds = 0);

/// <summary>A target ready to be driven: each <see cref="NewTarget"/> opens fresh connections; disposing stops a server it started.</summary>
/// <param name="Name">The scheme name (<c>echo</c>, <c>relay-tcp</c>, ...), used in result folder names.</param>
/// <param name="Description">What to print: the address, and where the target runs.</param>
/// <param name="Traffic">Where the run's connections go: the target's port, or an impairment proxy in front of it.</param>
/// <param name="ConnectTo">Creates a target whose connections the runner opens to the given endpoint.</param>
/// <param name="Server">The server this command started, if any.</param>
/// <param name="Process">The target's own process, when it runs apart from the generator and can be measured.</param>
/// <param name="Idle">How idle clients reach it, when it runs in its own process.</param>
/// <param name="Store">The relay's durable store, when its process can be read: measured over the same window.</param>
/// <param name="Metrics">The target process's Prometheus endpoint (a relay's <c>/metrics</c>: its collector and mailbox depth for the series), or <c>null</c>.</param>
internal sealed record TargetHandle(string Name, string Description, IPEndPoint Traffic, Func<IPEndPoint, ILoadTarget> ConnectTo, IAsyncDisposable? Server, ChildProcess? Process = null, IdleTarget? Idle = null, StoreBeside? Store = null, Uri? Metrics = null) : IAsyncDisposable
{
    /// <summary>A target whose connections go to <see cref="Traffic"/>.</summary>
    public ILoadTarget NewTarget() => ConnectTo(Traffic);

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Where idle clients connect and how they open.</summary>
/// <param name="EndPoint">The target's endpoint for them.</param>
/// <param name="Protocol">Creates the opening protocol (one per pool: it holds the identities' seed).</param>
internal sealed record IdleTarget(IPEndPoint EndPoint, Func<IdleProtocol> Protocol);

/// <summary>A server this command started and what it started beside it, stopped together (the relay first).</summary>
internal sealed class Owned(IAsyncDisposable first, IAsyncDisposable? second) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await first.DisposeAsync().ConfigureAwait(false);
        if (second is not null)
        {
            await second.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>An in-process relay started for a run, and its key.</summary>
internal sealed class EmbeddedRelay(RelayServer server, X25519KeyPair key) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync().ConfigureAwait(false);
        key.Dispose();
    }
}
