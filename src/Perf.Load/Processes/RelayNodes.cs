using System.Diagnostics;
using System.Globalization;
using System.Net;
using Perf.Load.Os;
using Perf.Load.Targets;
using Relay.Crypto.KeyAgreement;

namespace Perf.Load.Processes;

/// <summary>
/// The N <c>perf relay</c> processes of a relay cluster: one static key written to a private
/// temporary file and passed to every node (<c>--key FILE</c>, as a fleet behind one name shares
/// it), the same JetStream store (<c>--store</c>, <c>--store-replicas</c>) and the same WebSocket
/// secret, each node on loopback ports of its own chosen once. A node can be killed (SIGKILL) and
/// started again with the same key, store and ports, so clients (and shard processes that were
/// given the addresses) find it where it was; <see cref="EndPointOf"/> is <c>null</c> while it is down.
/// </summary>
public sealed class RelayNodes : IAsyncDisposable
{
    private readonly Func<ProcessStartInfo> _perfCommand;
    private readonly string _cipher;
    private readonly string _backend;
    private readonly string[] _arguments;
    private readonly string _keyFolder;
    private readonly CpuSet? _cpus;
    private readonly RelayListeners[] _listeners;
    private readonly bool[] _up;

    private RelayNodes(Func<ProcessStartInfo> perfCommand, string cipher, string backend, string store, int replicas, int nodes, CpuSet? cpus, int publishWindowMicroseconds)
    {
        _perfCommand = perfCommand;
        _cipher = cipher;
        _backend = backend;
        _cpus = cpus;
        _keyFolder = Directory.CreateTempSubdirectory("perf-relay-key-").FullName;
        var keyFile = Path.Combine(_keyFolder, "relay.key");
        using (var key = X25519KeyPair.Generate())
        {
            Span<byte> secret = stackalloc byte[32];
            key.ExportPrivateKey(secret);
            File.WriteAllText(keyFile, Convert.ToBase64String(secret) + "\n");
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
            RelayKey = key.PublicKey.ToArray();
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        _arguments = ["--key", keyFile, "--store", store, "--store-replicas", replicas.ToString(CultureInfo.InvariantCulture), "--store-publish-window", publishWindowMicroseconds.ToString(CultureInfo.InvariantCulture)];
        var wsSecret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        WebSocketSecret = System.Text.Encoding.UTF8.GetBytes(wsSecret);
        _listeners = new RelayListeners[nodes];
        for (var i = 0; i < nodes; i++)
        {
            _listeners[i] = new RelayListeners(LoopbackPort.Free(), LoopbackPort.Free(), wsSecret);
        }

        _up = new bool[nodes];
        Processes = new ProcessGroup("perf relay", nodes);
    }

    /// <summary>The static public key every node presents, to pin.</summary>
    public byte[] RelayKey { get; }

    /// <summary>The WebSocket token secret every node checks tokens with.</summary>
    public byte[] WebSocketSecret { get; }

    /// <summary>The CPUs every node is pinned to, or <c>null</c>.</summary>
    public CpuSet? Cpus => _cpus;

    /// <summary>The nodes' processes, read together for their CPU time.</summary>
    public ProcessGroup Processes { get; }

    /// <summary>How many nodes.</summary>
    public int Count => _listeners.Length;

    /// <summary>Starts <paramref name="nodes"/> relays on <paramref name="store"/>: the first alone (it creates the stream), then the others together.</summary>
    /// <param name="perfCommand">Makes a fresh start info that runs <c>perf</c>.</param>
    /// <param name="cipher">The relays' <c>--cipher</c>.</param>
    /// <param name="backend">The relays' <c>--backend</c>.</param>
    /// <param name="store">The NATS URLs, <c>nats://...,nats://...</c>.</param>
    /// <param name="replicas">JetStream replicas of the mailbox stream.</param>
    /// <param name="nodes">How many relays.</param>
    /// <param name="cpus">The CPUs to pin every node to, or <c>null</c>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="publishWindowMicroseconds">Every node's <c>--store-publish-window</c> (0: publishes leave at once).</param>
    /// <exception cref="LoadTargetException">A relay did not start.</exception>
    public static async Task<RelayNodes> StartAsync(Func<ProcessStartInfo> perfCommand, string cipher, string backend, string store, int replicas, int nodes, CpuSet? cpus, CancellationToken cancellationToken, int publishWindowMicroseconds = 0)
    {
        ArgumentNullException.ThrowIfNull(perfCommand);
        var relays = new RelayNodes(perfCommand, cipher, backend, store, replicas, nodes, cpus, publishWindowMicroseconds);
        try
        {
            await relays.StartNodeAsync(0, cancellationToken).ConfigureAwait(false);
            var rest = new Task[nodes - 1];
            for (var i = 1; i < nodes; i++)
            {
                rest[i - 1] = relays.StartNodeAsync(i, cancellationToken);
            }

            await Task.WhenAll(rest).ConfigureAwait(false);
            return relays;
        }
        catch
        {
            await relays.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Where node <paramref name="index"/> listens for Noise/TCP, or <c>null</c> while it is down.</summary>
    public IPEndPoint? EndPointOf(int index) => Volatile.Read(ref _up[index]) ? TcpEndPoint(index) : null;

    /// <summary>Where node <paramref name="index"/>'s WebSocket gateway listens, or <c>null</c> while it is down.</summary>
    public IPEndPoint? WebSocketEndPointOf(int index) => Volatile.Read(ref _up[index]) ? WebSocketEndPoint(index) : null;

    /// <summary>Node <paramref name="index"/>'s Noise/TCP endpoint, up or down (its port does not change).</summary>
    public IPEndPoint TcpEndPoint(int index) => new(IPAddress.Loopback, _listeners[index].TcpPort);

    /// <summary>Node <paramref name="index"/>'s WebSocket endpoint, up or down.</summary>
    public IPEndPoint WebSocketEndPoint(int index) => new(IPAddress.Loopback, _listeners[index].WebSocketPort);

    /// <summary>Starts node <paramref name="index"/> (again) with the shared key, store, secret and its own ports.</summary>
    /// <exception cref="LoadTargetException">It did not start, or presented another key.</exception>
    public async Task StartNodeAsync(int index, CancellationToken cancellationToken)
    {
        var relay = await RelayProcess.StartAsync(_perfCommand(), _cipher, _backend, _cpus, cancellationToken, _arguments, _listeners[index]).ConfigureAwait(false);
        if (!relay.RelayKey.AsSpan().SequenceEqual(RelayKey))
        {
            await relay.DisposeAsync().ConfigureAwait(false);
            throw new LoadTargetException($"relay node {index} presented another key than the one in its --key file.");
        }

        Processes.Set(index, relay.Process);
        Volatile.Write(ref _up[index], true);
    }

    /// <summary>SIGKILLs node <paramref name="index"/>; false when it was down already.</summary>
    public Task<bool> KillAsync(int index)
    {
        Volatile.Write(ref _up[index], false);
        return Processes.KillAsync(index);
    }

    /// <summary>Stops every node and deletes the key file.</summary>
    public async ValueTask DisposeAsync()
    {
        await Processes.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_keyFolder, recursive: true);
        }
        catch (IOException)
        {
            // The system cleans its temporary folder.
        }
    }
}
