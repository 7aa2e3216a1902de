using System.Net;
using Perf.Load.Targets;
using Perf.Load.Targets.Echo;
using Perf.Load.Targets.Nats;
using Perf.Load.Targets.Relay;
using Relay.Crypto.KeyAgreement;
using Relay.Server;
using Relay.Crypto.Aead;

namespace Perf.Cli.Load;

/// <summary>
/// Turns a <c>--target</c> value into a <see cref="TargetHandle"/>: a full address
/// (<c>echo://127.0.0.1:7500</c>) points at a server the user started; a bare name
/// (<c>echo</c>, ...) starts that server embedded in this process on a free loopback port, so
/// one command measures without any setup.
/// </summary>
internal static class LoadTargetFactory
{
    /// <summary>The bare names accepted for embedded targets.</summary>
    public const string EmbeddedNames = "relay-tcp, relay-ws, nats, echo";

    /// <summary>Opens the target; disposing the handle stops any embedded server.</summary>
    /// <exception cref="LoadTargetException">An unknown or unavailable target; the message says how to fix it.</exception>
    public static async Task<TargetHandle> OpenAsync(string text, LoadTargetOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            return text.Trim().ToLowerInvariant() switch
            {
                "echo" => await EmbeddedEchoAsync(cancellationToken).ConfigureAwait(false),
                "nats" => await EmbeddedNatsAsync(options, cancellationToken).ConfigureAwait(false),
                "relay-tcp" or "relay-ws" when options.RelayProcess => await RelayProcessAsync(text.Trim().ToLowerInvariant() == "relay-ws", options, cancellationToken).ConfigureAwait(false),
                "relay-tcp" or "relay-ws" => await EmbeddedRelayAsync(text.Trim().ToLowerInvariant() == "relay-ws", options, cancellationToken).ConfigureAwait(false),
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
            TargetScheme.Echo => new TargetHandle("echo", address.ToString(), () => new EchoTarget(endPoint), null),
            TargetScheme.Nats => new TargetHandle("nats", address.ToString(), () => new NatsTarget($"nats://{endPoint}", Algorithm(options), Backend(options)), null),
            TargetScheme.RelayTcp => new TargetHandle("relay-tcp", address.ToString(), () => RelayTarget.Tcp(endPoint, RelayKey(options), Algorithm(options), Backend(options), options.Mode), null),
            TargetScheme.RelayWs => new TargetHandle("relay-ws", address.ToString(), () => RelayTarget.WebSocket(endPoint, WsSecret(options), Algorithm(options), Backend(options), options.Mode), null),
            _ => throw new ArgumentOutOfRangeException(nameof(text), address.Scheme, "every target scheme is handled above"),
        };
    }

    private static async Task<TargetHandle> EmbeddedNatsAsync(LoadTargetOptions options, CancellationToken cancellationToken)
    {
        var server = await NatsServerProcess.StartAsync(cancellationToken).ConfigureAwait(false);
        return new TargetHandle("nats", $"{server.Url} (nats-server started for this run)", () => new NatsTarget(server.Url, Algorithm(options), Backend(options)), server);
    }

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
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var relayKey = key.PublicKey.ToArray();
        return webSocket
            ? new TargetHandle("relay-ws", $"relay-ws://{server.WebSocketEndPoint} (embedded relay)", () => RelayTarget.WebSocket(server.WebSocketEndPoint!, secret, Algorithm(options), Backend(options), options.Mode), new EmbeddedRelay(server, key))
            : new TargetHandle("relay-tcp", $"relay-tcp://{server.TcpEndPoint} (embedded relay)", () => RelayTarget.Tcp(server.TcpEndPoint, relayKey, Algorithm(options), Backend(options), options.Mode), new EmbeddedRelay(server, key));
    }

    /// <summary>Starts <c>perf relay</c> as a child process on free loopback ports.</summary>
    /// <exception cref="LoadTargetException">It did not start.</exception>
    public static Task<RelayChildProcess> StartRelayProcessAsync(LoadTargetOptions options, CancellationToken cancellationToken) =>
        RelayChildProcess.StartAsync(PerfChildCommand.StartInfo(), options.Cipher, options.Backend, cancellationToken);

    private static async Task<TargetHandle> RelayProcessAsync(bool webSocket, LoadTargetOptions options, CancellationToken cancellationToken)
    {
        var relay = await StartRelayProcessAsync(options, cancellationToken).ConfigureAwait(false);
        var where = $"(perf relay, process {relay.ProcessId})";
        return webSocket
            ? new TargetHandle("relay-ws", $"relay-ws://{relay.WebSocketEndPoint} {where}", () => RelayTarget.WebSocket(relay.WebSocketEndPoint, relay.WebSocketSecret, Algorithm(options), Backend(options), options.Mode), relay, relay)
            : new TargetHandle("relay-tcp", $"relay-tcp://{relay.TcpEndPoint} {where}", () => RelayTarget.Tcp(relay.TcpEndPoint, relay.RelayKey, Algorithm(options), Backend(options), options.Mode), relay, relay);
    }

    private static byte[] RelayKey(LoadTargetOptions options)
    {
        Span<byte> key = stackalloc byte[36];
        return options.RelayKey is not null && Convert.TryFromBase64String(options.RelayKey, key, out var written) && written == 32
            ? key[..32].ToArray()
            : throw new LoadTargetException("relay-tcp needs the relay's public key to pin: pass --relay-key with the key= value perf relay printed (32 bytes of base64).");
    }

    private static byte[] WsSecret(LoadTargetOptions options) =>
        options.WsSecret is { Length: >= 16 }
            ? System.Text.Encoding.UTF8.GetBytes(options.WsSecret)
            : throw new LoadTargetException("relay-ws needs the relay's WebSocket secret to mint tokens: pass --ws-secret with the ws-secret perf relay printed.");

    private static AeadAlgorithm Algorithm(LoadTargetOptions options) => AeadAlgorithm.Parse(options.Cipher);

    private static AeadBackend Backend(LoadTargetOptions options) => AeadBackend.Parse(options.Backend);

    private static async Task<TargetHandle> EmbeddedEchoAsync(CancellationToken cancellationToken)
    {
        var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), cancellationToken).ConfigureAwait(false);
        return new TargetHandle("echo", $"echo://{server.EndPoint} (embedded)", () => new EchoTarget(server.EndPoint), server);
    }
}

/// <summary>Options some targets need (relay key, WebSocket secret, cipher, backend).</summary>
/// <param name="RelayKey">The relay's static public key, base64, to pin (relay-tcp).</param>
/// <param name="WsSecret">The relay's WebSocket token secret (relay-ws).</param>
/// <param name="Cipher">E2E and transport cipher name.</param>
/// <param name="Backend">AEAD backend name.</param>
/// <param name="RelayProcess">Start the bare-name relay targets as a separate <c>perf relay</c> process, to measure its CPU and memory.</param>
/// <param name="Mode">Relay targets: sealed sender and padding (plain, unpadded when <c>null</c>).</param>
internal sealed record LoadTargetOptions(string? RelayKey, string? WsSecret, string Cipher, string Backend, bool RelayProcess = false, RelayTargetMode? Mode = null);

/// <summary>A target ready to be driven: each <see cref="NewTarget"/> opens fresh connections; disposing stops an embedded server.</summary>
/// <param name="Name">The scheme name (<c>echo</c>, <c>relay-tcp</c>, ...), used in result folder names.</param>
/// <param name="Description">What to print: the address, and whether it is embedded.</param>
/// <param name="NewTarget">Creates a target whose connections the runner opens.</param>
/// <param name="Server">The embedded server, if one was started.</param>
/// <param name="Relay">The relay process, when it runs apart from the generator and can be measured.</param>
internal sealed record TargetHandle(string Name, string Description, Func<ILoadTarget> NewTarget, IAsyncDisposable? Server, RelayChildProcess? Relay = null) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync().ConfigureAwait(false);
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
