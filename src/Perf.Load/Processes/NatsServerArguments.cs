using System.Globalization;

namespace Perf.Load.Processes;

/// <summary>
/// The one place a <c>nats-server</c> command line is built: a server on loopback at
/// <paramref name="Port"/>, not advertising itself, with optionally a monitoring port, JetStream
/// with its own store folder, a server name, and routes to the other nodes of a cluster.
/// </summary>
/// <param name="Port">The client port.</param>
public sealed record NatsServerArguments(int Port)
{
    /// <summary>The monitoring (HTTP) port, for <c>/jsz</c>; 0: none.</summary>
    public int MonitorPort { get; init; }

    /// <summary>JetStream's store folder; JetStream is on (<c>-js</c>) exactly when it is set.</summary>
    public string? StoreDirectory { get; init; }

    /// <summary>The server's name (the nodes of a cluster need distinct ones), or <c>null</c>.</summary>
    public string? ServerName { get; init; }

    /// <summary>This node's place in a cluster, or <c>null</c> for a server alone.</summary>
    public NatsRoutes? Cluster { get; init; }

    /// <summary>The arguments, in order.</summary>
    public IReadOnlyList<string> ToList()
    {
        var arguments = new List<string>();
        if (StoreDirectory is not null)
        {
            arguments.Add("-js");
        }

        arguments.AddRange(["--addr", "127.0.0.1", "--port", Text(Port), "--http_port", Text(MonitorPort)]);
        if (StoreDirectory is not null)
        {
            arguments.AddRange(["--store_dir", StoreDirectory]);
        }

        if (ServerName is not null)
        {
            arguments.AddRange(["--server_name", ServerName]);
        }

        arguments.Add("--no_advertise");
        if (Cluster is { } cluster)
        {
            arguments.AddRange(["--cluster_name", cluster.Name, "--cluster", Url(cluster.RoutePort), "--routes", string.Join(',', cluster.AllRoutePorts.Select(Url))]);
        }

        return arguments;
    }

    private static string Url(int port) => $"nats://127.0.0.1:{Text(port)}";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A node's routes in a NATS cluster on loopback.</summary>
/// <param name="Name">The cluster's name (<c>--cluster_name</c>).</param>
/// <param name="RoutePort">This node's route port.</param>
/// <param name="AllRoutePorts">Every node's route port, this one's included (nats-server skips itself).</param>
public sealed record NatsRoutes(string Name, int RoutePort, IReadOnlyList<int> AllRoutePorts);
