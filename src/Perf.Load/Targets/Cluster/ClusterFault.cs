using System.Globalization;

namespace Perf.Load.Targets.Cluster;

/// <summary>What a fault does to a node: <c>kill</c> (SIGKILL) or <c>restart</c> (SIGKILL, then the same node starts again).</summary>
public enum FaultAction
{
    /// <summary>SIGKILL; the node stays down.</summary>
    Kill,

    /// <summary>SIGKILL, then the node starts again (a relay with the same key and store; a NATS server with the same ports and store folder).</summary>
    Restart,
}

/// <summary>Which kind of process a fault hits.</summary>
public enum FaultNodeKind
{
    /// <summary>A <c>perf relay</c> node.</summary>
    Relay,

    /// <summary>A <c>nats-server</c> node.</summary>
    Nats,
}

/// <summary>
/// One <c>--fault ACTION:KIND:INDEX@TIME</c>: e.g. <c>kill:relay:1@4s</c> SIGKILLs relay node 1
/// (0-based) 4 s after the measured window opened (the end of the warm-up).
/// </summary>
/// <param name="Action">Kill or restart.</param>
/// <param name="Kind">Relay or NATS.</param>
/// <param name="Node">The node's 0-based index.</param>
/// <param name="At">When, from the start of the measured window.</param>
public sealed record ClusterFault(FaultAction Action, FaultNodeKind Kind, int Node, TimeSpan At)
{
    /// <summary>The form every error message shows.</summary>
    public const string Syntax = "ACTION:NODE:INDEX@TIME with ACTION kill or restart, NODE relay or nats, INDEX the 0-based node and TIME from the end of the warm-up, e.g. kill:relay:1@4s";

    /// <summary>Parses one <c>--fault</c> value; false with a one-line <paramref name="error"/> for anything else.</summary>
    public static bool TryParse(string? text, out ClusterFault? fault, out string? error)
    {
        fault = null;
        error = null;
        var at = text?.IndexOf('@', StringComparison.Ordinal) ?? -1;
        var parts = at < 0 ? [] : text![..at].Split(':');
        if (parts.Length != 3)
        {
            error = $"--fault '{text}': expected {Syntax}.";
            return false;
        }

        FaultAction? action = parts[0].Trim().ToLowerInvariant() switch { "kill" => FaultAction.Kill, "restart" => FaultAction.Restart, _ => null };
        FaultNodeKind? kind = parts[1].Trim().ToLowerInvariant() switch { "relay" => FaultNodeKind.Relay, "nats" => FaultNodeKind.Nats, _ => null };
        if (action is null || kind is null)
        {
            error = $"--fault '{text}': the action is kill or restart and the node relay or nats ({Syntax}).";
            return false;
        }

        if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var node))
        {
            error = $"--fault '{text}': the node index must be a whole number from 0 ({Syntax}).";
            return false;
        }

        if (!DurationText.TryParse(text![(at + 1)..], out var time))
        {
            error = $"--fault '{text}': the time after @ is a duration such as 4s or 500ms ({Syntax}).";
            return false;
        }

        fault = new ClusterFault(action.Value, kind.Value, node, time);
        return true;
    }

    /// <summary>Checks the fault against the cluster's size and the measured window; a one-line problem or <c>null</c>.</summary>
    public string? Check(int relayNodes, int natsNodes, TimeSpan measured)
    {
        var nodes = Kind == FaultNodeKind.Relay ? relayNodes : natsNodes;
        if (Node >= nodes)
        {
            return $"--fault {this}: there is no {KindName} node {Node} (--{KindName}-nodes {nodes}: nodes 0 to {nodes - 1}).";
        }

        return At >= measured
            ? $"--fault {this}: {At.TotalSeconds:0.###}s is not inside the measured window ({measured.TotalSeconds:0.###}s from the end of the warm-up)."
            : null;
    }

    /// <summary><c>relay</c> or <c>nats</c>.</summary>
    public string KindName => Kind == FaultNodeKind.Relay ? "relay" : "nats";

    /// <summary>The fault as <c>--fault</c> writes it, e.g. <c>kill:relay:1@4s</c>.</summary>
    public override string ToString() =>
        $"{(Action == FaultAction.Kill ? "kill" : "restart")}:{KindName}:{Node}@{At.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s";
}
