using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Perf.Load.Processes;
using Perf.Load.Targets.Nats;

namespace Perf.Load.Targets.Cluster;

/// <summary>
/// An M-node <c>nats-server</c> cluster on loopback for one load command: JetStream on (<c>-js</c>),
/// each node with its own store folder under one temporary folder, routes between all nodes on
/// loopback ports and the cluster name <c>perf</c>. Ready once JetStream has elected a meta leader
/// and every node is a current peer (read from each node's monitoring endpoint, <c>/jsz</c>). A node can be killed (SIGKILL) and
/// started again on the same ports and store folder.
/// </summary>
public sealed class NatsCluster : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly string _binary;
    private readonly string _folder;
    private readonly int[] _clientPorts;
    private readonly int[] _monitorPorts;
    private readonly int[] _routePorts;

    private NatsCluster(string binary, string folder, int nodes)
    {
        _binary = binary;
        _folder = folder;
        _clientPorts = new int[nodes];
        _monitorPorts = new int[nodes];
        _routePorts = new int[nodes];
        for (var i = 0; i < nodes; i++)
        {
            _clientPorts[i] = NatsServerProcess.FreeLoopbackPort();
            _monitorPorts[i] = NatsServerProcess.FreeLoopbackPort();
            _routePorts[i] = NatsServerProcess.FreeLoopbackPort();
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
    /// <exception cref="LoadTargetException">nats-server is missing, a node did not start, or no leader was elected in time.</exception>
    public static async Task<NatsCluster> StartAsync(int nodes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        var binary = NatsServerProcess.FindBinary() ?? throw new LoadTargetException(
            $"nats-server is not installed: install it (Debian: apt-get install nats-server) or set {NatsServerProcess.EnvironmentVariable} to its path.");
        var cluster = new NatsCluster(binary, Directory.CreateTempSubdirectory("perf-nats-cluster-").FullName, nodes);
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
        var start = new ProcessStartInfo(_binary)
        {
            ArgumentList =
            {
                "-js", "--addr", "127.0.0.1", "--port", Text(port), "--http_port", Text(_monitorPorts[index]),
                "--store_dir", Path.Combine(_folder, $"n{Text(index)}"), "--server_name", $"n{Text(index)}", "--no_advertise",
            },
        };
        if (Count > 1)
        {
            foreach (var argument in (string[])["--cluster_name", "perf", "--cluster", $"nats://127.0.0.1:{Text(_routePorts[index])}", "--routes", string.Join(',', Array.ConvertAll(_routePorts, p => $"nats://127.0.0.1:{Text(p)}"))])
            {
                start.ArgumentList.Add(argument);
            }
        }

        var process = await TargetProcess.StartAsync(new TargetProcessStart(start, "nats-server", null, ct => NatsServerProcess.AcceptsAsync(port, ct), null, TimeSpan.FromSeconds(10)), cancellationToken).ConfigureAwait(false);
        Processes.Set(index, process);
    }

    /// <summary>SIGKILLs node <paramref name="index"/>; false when it was down already.</summary>
    public Task<bool> KillAsync(int index) => Processes.KillAsync(index);

    /// <summary>Waits until a live node reports a JetStream meta leader and every other node as a current peer (a single server is its own).</summary>
    /// <exception cref="LoadTargetException">None within 30 s.</exception>
    public async Task WaitForMetaLeaderAsync(CancellationToken cancellationToken)
    {
        if (Count == 1)
        {
            return;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (long)(ReadyTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            for (var i = 0; i < Count; i++)
            {
                if (Processes[i] is not null && await FormedAsync(http, _monitorPorts[i], cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new LoadTargetException($"the {Count}-node NATS cluster elected no JetStream meta leader with every node current within {ReadyTimeout.TotalSeconds:0} s.");
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

    // Whether this node sees a meta leader and every other node as a current peer: only then can
    // a stream with replicas on every node be placed ("no suitable peers for placement" before).
    private async Task<bool> FormedAsync(HttpClient http, int monitorPort, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await http.GetStreamAsync(new Uri($"http://127.0.0.1:{Text(monitorPort)}/jsz"), cancellationToken).ConfigureAwait(false);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!document.RootElement.TryGetProperty("meta_cluster", out var meta)
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
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
