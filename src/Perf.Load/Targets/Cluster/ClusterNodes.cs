using System.Globalization;
using System.Net;
using Perf.Load.Processes;

namespace Perf.Load.Targets.Cluster;

/// <summary>How a relay cluster's clients reach it: Noise/TCP, or each node's WebSocket gateway.</summary>
public enum ClusterTransport
{
    /// <summary>Noise over TCP, on the generator's own sockets.</summary>
    Tcp,

    /// <summary>The WebSocket gateway (<c>ws://HOST:PORT/ws</c>) with a bearer token per identity.</summary>
    WebSocket,
}

/// <summary>
/// The relay nodes a cluster target's clients use: how many, where each listens for the chosen
/// transport (<c>null</c> while a node is known to be down), the key every node presents and the
/// secret tokens are minted with. Either the nodes this command started (<see cref="Of"/>) or
/// addresses of a fleet someone else runs (<see cref="At"/>, <c>relay-cluster://HOST:PORT,...</c>),
/// where a dead node is found by its refused connections.
/// </summary>
public sealed class ClusterNodes
{
    /// <summary>The scheme of a relay cluster's address.</summary>
    public const string Scheme = "relay-cluster://";

    private readonly Func<int, IPEndPoint?> _endPointOf;

    private ClusterNodes(int count, Func<int, IPEndPoint?> endPointOf, byte[] relayKey, byte[]? webSocketSecret, ClusterTransport transport, string address)
    {
        Count = count;
        _endPointOf = endPointOf;
        RelayKey = relayKey;
        WebSocketSecret = webSocketSecret;
        Transport = transport;
        Address = address;
    }

    /// <summary>How many nodes.</summary>
    public int Count { get; }

    /// <summary>The static public key every node presents, to pin.</summary>
    public byte[] RelayKey { get; }

    /// <summary>The gateway's token secret (WebSocket transport).</summary>
    public byte[]? WebSocketSecret { get; }

    /// <summary>The transport the clients use.</summary>
    public ClusterTransport Transport { get; }

    /// <summary>The nodes as a <c>relay-cluster://</c> address of the transport's endpoints (what a shard process is given).</summary>
    public string Address { get; }

    /// <summary>Where node <paramref name="index"/> listens for the transport, or <c>null</c> while it is known to be down.</summary>
    public IPEndPoint? EndPointOf(int index) => _endPointOf(index);

    /// <summary>The nodes this command started; their ports stay the same across restarts.</summary>
    public static ClusterNodes Of(RelayNodes relays, ClusterTransport transport)
    {
        ArgumentNullException.ThrowIfNull(relays);
        var webSocket = transport == ClusterTransport.WebSocket;
        var endPoints = new IPEndPoint[relays.Count];
        for (var i = 0; i < endPoints.Length; i++)
        {
            endPoints[i] = webSocket ? relays.WebSocketEndPoint(i) : relays.TcpEndPoint(i);
        }

        return new ClusterNodes(relays.Count, webSocket ? relays.WebSocketEndPointOf : relays.EndPointOf, relays.RelayKey, relays.WebSocketSecret, transport, AddressOf(endPoints));
    }

    /// <summary>A fleet at fixed endpoints (each a node, or one load-balanced Service standing for many).</summary>
    public static ClusterNodes At(IReadOnlyList<IPEndPoint> endPoints, byte[] relayKey, byte[]? webSocketSecret, ClusterTransport transport)
    {
        ArgumentNullException.ThrowIfNull(endPoints);
        ArgumentOutOfRangeException.ThrowIfZero(endPoints.Count);
        ArgumentNullException.ThrowIfNull(relayKey);
        if (transport == ClusterTransport.WebSocket && webSocketSecret is null)
        {
            throw new ArgumentException("the WebSocket transport mints tokens: it needs the gateway's secret", nameof(webSocketSecret));
        }

        var fixedPoints = endPoints.ToArray();
        return new ClusterNodes(fixedPoints.Length, i => fixedPoints[i], relayKey, webSocketSecret, transport, AddressOf(fixedPoints));
    }

    /// <summary>
    /// Parses <c>relay-cluster://HOST:PORT[,HOST:PORT...]</c> into its endpoints (names resolved);
    /// false with a one-line <paramref name="error"/> for anything else.
    /// </summary>
    public static bool TryParseAddress(string text, out IReadOnlyList<(string Host, int Port)> nodes, out string? error)
    {
        nodes = [];
        error = null;
        if (!IsAddress(text))
        {
            error = $"'{text}' is not a relay cluster address: write {Scheme}HOST:PORT[,HOST:PORT...].";
            return false;
        }

        var parsed = new List<(string, int)>();
        foreach (var part in text.Trim()[Scheme.Length..].Split(','))
        {
            var colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                error = $"'{part}' in '{text}' is not HOST:PORT (a port from 1 to 65535).";
                return false;
            }

            parsed.Add((part[..colon].Trim('[', ']'), port));
        }

        if (parsed.Count > 64)
        {
            error = $"'{text}' names {parsed.Count} nodes; at most 64.";
            return false;
        }

        nodes = parsed;
        return true;
    }

    /// <summary>Whether <paramref name="text"/> is written as a relay cluster address.</summary>
    public static bool IsAddress(string text) => text.Trim().StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    private static string AddressOf(IPEndPoint[] endPoints) => Scheme + string.Join(',', endPoints.Select(e => e.ToString()));
}
