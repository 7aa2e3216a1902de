using System.Globalization;
using System.Net;

namespace Perf.Load.Targets.Cluster;

/// <summary>
/// What a relay node says about itself at <c>/metrics</c> (Prometheus text on its WebSocket
/// listener): here, its open client connections (<c>relay.connections</c>), so a run can show how
/// many connections each node held by the node's own count rather than by the generator's.
/// </summary>
public static class RelayNodeMetrics
{
    private const string Connections = "relay_connections";

    /// <summary>Node by node, the open connections each reports (<c>null</c> for a node down or not answering).</summary>
    public static async Task<long?[]> ConnectionsAsync(IReadOnlyList<IPEndPoint?> webSocketEndPoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webSocketEndPoints);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var counts = new long?[webSocketEndPoints.Count];
        for (var i = 0; i < counts.Length; i++)
        {
            if (webSocketEndPoints[i] is not { } endPoint)
            {
                continue;
            }

            try
            {
                counts[i] = Read(await http.GetStringAsync(new Uri($"http://{endPoint}/metrics"), cancellationToken).ConfigureAwait(false), Connections);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Down, or too busy to answer in time: unknown.
            }
        }

        return counts;
    }

    /// <summary>The value of the unlabelled (or only) sample of <paramref name="name"/> in Prometheus text, or <c>null</c>.</summary>
    public static long? Read(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not (' ' or '{'))
            {
                continue;
            }

            // name{labels} value [timestamp]
            var rest = line[name.Length] == '{' ? line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..] : line[name.Length..];
            var value = rest.Trim().Split(' ')[0];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                return (long)parsed;
            }
        }

        return null;
    }
}
