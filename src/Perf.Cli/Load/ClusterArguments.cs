using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load.Targets.Cluster;

namespace Perf.Cli.Load;

/// <summary>
/// The <c>perf load</c> options of <c>--target relay-cluster</c>: its size (<c>--relay-nodes</c>,
/// <c>--nats-nodes</c>) and the faults to inject (<c>--fault</c>, repeatable). Checked before
/// anything starts; only valid with relay-cluster.
/// </summary>
internal sealed class ClusterArguments : OptionGroup
{
    /// <summary>The target name.</summary>
    public const string TargetName = "relay-cluster";

    private const int MaxRelayNodes = 16;
    private const int MaxNatsNodes = 7;

    private readonly Option<int> _relayNodes = new("--relay-nodes") { Description = "relay-cluster: perf relay processes.", DefaultValueFactory = _ => 3 };
    private readonly Option<int> _natsNodes = new("--nats-nodes") { Description = "relay-cluster: nats-server processes (JetStream, replicas min(3, M)).", DefaultValueFactory = _ => 3 };
    private readonly Option<string[]> _faults = new("--fault") { Description = "relay-cluster, repeatable: kill|restart:relay|nats:INDEX@TIME, INDEX 0-based, TIME from the end of the warm-up (kill is SIGKILL), e.g. kill:relay:1@4s." };

    /// <summary>Whether <paramref name="target"/> names the relay cluster.</summary>
    public static bool IsCluster(string target) => target.Trim().Equals(TargetName, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_relayNodes, _natsNodes, _faults];

    /// <summary>
    /// The cluster plan, or <c>null</c> when no target is relay-cluster; <paramref name="problem"/>
    /// is set (one line) when the options do not fit, or relay-cluster is given one it does not take.
    /// </summary>
    public RelayClusterPlan? Read(ParseResult parseResult, IReadOnlyList<string> targets, TimeSpan measured, out string? problem)
    {
        problem = null;
        var cluster = false;
        foreach (var target in targets)
        {
            cluster |= IsCluster(target);
        }

        var faultTexts = parseResult.GetValue(_faults) ?? [];
        var sized = parseResult.GetResult(_relayNodes) is { Implicit: false } || parseResult.GetResult(_natsNodes) is { Implicit: false };
        if (!cluster)
        {
            if (faultTexts.Length > 0 || sized)
            {
                problem = "--fault, --relay-nodes and --nats-nodes apply to --target relay-cluster only.";
            }

            return null;
        }

        var relays = parseResult.GetValue(_relayNodes);
        var nats = parseResult.GetValue(_natsNodes);
        if (relays is < 1 or > MaxRelayNodes || nats is < 1 or > MaxNatsNodes)
        {
            problem = $"--relay-nodes must be 1 to {MaxRelayNodes} and --nats-nodes 1 to {MaxNatsNodes}.";
            return null;
        }

        var faults = new List<ClusterFault>(faultTexts.Length);
        foreach (var text in faultTexts)
        {
            if (!ClusterFault.TryParse(text, out var fault, out problem) || (problem = fault!.Check(relays, nats, measured)) is not null)
            {
                return null;
            }

            faults.Add(fault);
        }

        problem = Unsupported(parseResult);
        return problem is null ? new RelayClusterPlan(relays, nats, faults) : null;
    }

    // Options relay-cluster does not take (it starts its own processes, unpinned, plain sends); a one-line problem or null.
    private static string? Unsupported(ParseResult parseResult)
    {
        foreach (var name in (string[])["--target-process", "--relay-process", "--target-cpus", "--reconnect-storm", "--store", "--find-max", "--sealed-sender", "--padding", "--relay-key", "--ws-secret"])
        {
            foreach (var token in parseResult.Tokens)
            {
                if (token.Value == name)
                {
                    return $"{name} does not apply to relay-cluster: it starts its own relay and NATS processes (unpinned, plain SEND) and measures one run.";
                }
            }
        }

        return null;
    }
}
