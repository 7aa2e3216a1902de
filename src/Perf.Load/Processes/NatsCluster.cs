using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Perf.Load.Os;
using Perf.Load.Targets;

namespace Perf.Load.Processes;

/// <summary>
/// An M-node <c>nats-server</c> cluster on loopback with JetStream on (<c>-js</c>): each node with
/// its own store folder under one temporary folder, and (from two nodes on) routes between all
/// nodes and the cluster name <c>perf</c>. Ready once JetStream has elected a meta leader and
/// every node is a current peer (read from each node's monitoring endpoint, <c>/jsz</c>). A node
/// can be killed (SIGKILL) and started again on the same ports and store folder. One node is a
/// JetStream server alone.
/// </summary>
public sealed class NatsCluster : IAsyncDisposable
{
    private const string ClusterName = "perf";
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FormedTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FormedInterval = TimeSpan.FromMilliseconds(100);
    private readonly string _binary;
    private readonly string _folder;
    private readonly int[] _clientPorts;
    private readonly int[] _monitorPorts;
    private readonly int[] _routePorts;

    private readonly CpuSet? _cpus;

    private NatsCluster(string binary, string folder, int nodes, CpuSet? cpus)
    {
        _binary = binary;
        _cpus = cpus;
        _folder = folder;
        _clientPorts = new int[nodes];
        _monitorPorts = new int[nodes];
        _routePorts = new int[nodes];
        for (var i = 0; i < nodes; i++)
        {
            _clientPorts[i] = LoopbackPort.Free();
            _monitorPorts[i] = LoopbackPort.Free();
            _routePorts[i] = LoopbackPort.Free();
        }

        Processes = new ProcessGroup("nats-server", nodes);
    }

    /// <summary>The nodes' processes, read together for their CPU time.</summary>
    public ProcessGroup Processes { get; }

    /// <summary>Every node's client URL, comma-separated, as <c>perf relay --store</c> takes them.</summary>
    public string Urls => string.Join(',', Array.ConvertAll(_clientPorts, p => $"nats://127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>How many nodes.</summary>
    public int Count => _clientPorts.Length;

    /// <summary>Starts <paramref name="nodes"/> servers and waits for a JetStream meta leader.</summary>
    /// <param name="nodes">How many servers.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="cpus">The CPUs to pin every node to, or <c>null</c>.</param>
    /// <exception cref="LoadTargetException">nats-server is missing, a node did not start, or no leader was elected in time.</exception>
    public static async Task<NatsCluster> StartAsync(int nodes, CancellationToken cancellationToken, CpuSet? cpus = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        var cluster = new NatsCluster(NatsServerBinary.Require(), Directory.CreateTempSubdirectory("perf-nats-cluster-").FullName, nodes, cpus);
        try
        {
            for (var i = 0; i < nodes; i++)
            {
                await cluster.StartNodeAsync(i, cancellationToken).ConfigureAwait(false);
            }

            await cluster.WaitForMetaLeaderAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts node <paramref name="index"/> (again): same ports, same store folder.</summary>
    /// <exception cref="LoadTargetException">It did not start.</exception>
    public async Task StartNodeAsync(int index, CancellationToken cancellationToken)
    {
        var port = _clientPorts[index];
        var name = $"n{index.ToString(CultureInfo.InvariantCulture)}";
        var arguments = new NatsServerArguments(port)
        {
            MonitorPort = _monitorPorts[index],
            StoreDirectory = Path.Combine(_folder, name),
            ServerName = name,
            Cluster = Count > 1 ? new NatsRoutes(ClusterName, _routePorts[index], _routePorts) : null,
        };
        var start = new ChildProcessStart(new ProcessStartInfo(_binary).AddArguments(arguments.ToList()), "nats-server")
        {
            ReadyProbe = ct => LoopbackPort.AcceptsAsync(port, ct),
            Timeout = NodeTimeout,
            Cpus = _cpus,
        };
        Processes.Set(index, await ChildProcess.StartAsync(start, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>SIGKILLs node <paramref name="index"/>; false when it was down already.</summary>
    public Task<bool> KillAsync(int index) => Processes.KillAsync(index);

    /// <summary>Waits until a live node reports a JetStream meta leader and every other node as a current peer (a single server is its own).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="restarted">
    /// A node just started again, which must also know the meta leader itself: the leader may
    /// still list it as current from before its kill (it notices a dead peer only after missed
    /// heartbeats), and would say the cluster is formed before it has rejoined. <c>null</c>: none.
    /// </param>
    /// <exception cref="LoadTargetException">None within 30 s.</exception>
    public async Task WaitForMetaLeaderAsync(CancellationToken cancellationToken, int? restarted = null)
    {
        if (Count == 1)
        {
            return;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        if (!await Poll.UntilAsync(async ct => (restarted is not { } node || await KnowsLeaderAsync(http, _monitorPorts[node], ct).ConfigureAwait(false)) && await AnyNodeSeesFormedAsync(http, ct).ConfigureAwait(false), FormedTimeout, FormedInterval, cancellationToken).ConfigureAwait(false))
        {
            throw new LoadTargetException($"the {Count}-node NATS cluster elected no JetStream meta leader with every node current within {FormedTimeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>Stops every node and deletes the store folders.</summary>
    public async ValueTask DisposeAsync()
    {
        await Processes.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held; the temporary folder is the system's to clean.
        }
    }

    private async Task<bool> AnyNodeSeesFormedAsync(HttpClient http, CancellationToken cancellationToken)
    {
        for (var i = 0; i < Count; i++)
        {
            if (Processes[i] is not null && await FormedAsync(http, _monitorPorts[i], cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    // Whether this node names a meta leader (only the leader lists the peers and whether each is current).
    private static async Task<bool> KnowsLeaderAsync(HttpClient http, int monitorPort, CancellationToken cancellationToken) =>
        await MetaClusterAsync(http, monitorPort, cancellationToken).ConfigureAwait(false) is { } meta
        && meta.TryGetProperty("leader", out var leader) && leader.GetString() is { Length: > 0 };

    // Whether this node sees a meta leader and every other node as a current peer: only then can
    // a stream with replicas on every node be placed ("no suitable peers for placement" before).
    private async Task<bool> FormedAsync(HttpClient http, int monitorPort, CancellationToken cancellationToken)
    {
        if (await MetaClusterAsync(http, monitorPort, cancellationToken).ConfigureAwait(false) is not { } meta
            || !meta.TryGetProperty("leader", out var leader) || leader.GetString() is not { Length: > 0 }
            || !meta.TryGetProperty("replicas", out var peers) || peers.ValueKind != JsonValueKind.Array || peers.GetArrayLength() < Count - 1)
        {
            return false;
        }

        foreach (var peer in peers.EnumerateArray())
        {
            if (!peer.TryGetProperty("current", out var current) || current.ValueKind != JsonValueKind.True)
            {
                return false;
            }
        }

        return true;
    }

    // The meta_cluster object of a node's /jsz, or null when it does not answer or has none.
    private static async Task<JsonElement?> MetaClusterAsync(HttpClient http, int monitorPort, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await http.GetStreamAsync(new Uri($"http://127.0.0.1:{monitorPort.ToString(CultureInfo.InvariantCulture)}/jsz"), cancellationToken).ConfigureAwait(false);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            return document.RootElement.TryGetProperty("meta_cluster", out var meta) ? meta.Clone() : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
