using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load.Os;
using Perf.Load.Targets.Cluster;

namespace Perf.Cli.Load;

/// <summary>
/// The <c>perf load</c> options of <c>--target relay-cluster</c>: its size (<c>--relay-nodes</c>,
/// <c>--nats-nodes</c>), how its clients reach it (<c>--transport</c>), where its NATS nodes run
/// (<c>--nats-cpus</c>; the relays follow <c>--target-cpus</c>) and the faults to inject
/// (<c>--fault</c>, repeatable; <c>--fault-schedule random:EVERY</c> with <c>--fault-seed</c>).
/// A fleet someone else runs is <c>relay-cluster://HOST:PORT,...</c> with <c>--relay-key</c> (and
/// <c>--ws-secret</c> over WebSocket): <c>--transport</c> applies to it, and <c>--relay-nodes</c>/
/// <c>--nats-nodes</c> describe it for the result. Checked before anything starts; only valid with relay-cluster.
/// </summary>
internal sealed class ClusterArguments : OptionGroup
{
    /// <summary>The target name.</summary>
    public const string TargetName = "relay-cluster";

    private const int MaxRelayNodes = 16;
    private const int MaxNatsNodes = 7;

    private readonly Option<int> _relayNodes = new("--relay-nodes") { Description = "relay-cluster: perf relay processes.", DefaultValueFactory = _ => 3 };
    private readonly Option<int> _natsNodes = new("--nats-nodes") { Description = "relay-cluster: nats-server processes (JetStream, replicas min(3, M)).", DefaultValueFactory = _ => 3 };
    private readonly Option<string> _transport = new("--transport") { Description = "relay-cluster: tcp (Noise/TCP on the generator's own sockets) or ws (each node's WebSocket gateway).", DefaultValueFactory = _ => "tcp" };
    private readonly Option<string?> _natsCpus = new("--nats-cpus") { Description = "relay-cluster: pin the nats-server processes to these CPUs (default: --target-cpus, with the relays)." };
    private readonly Option<string[]> _faults = new("--fault") { Description = "relay-cluster, repeatable: kill|restart:relay|nats:INDEX@TIME, INDEX 0-based, TIME from the end of the warm-up (kill is SIGKILL), e.g. kill:relay:1@4s." };
    private readonly Option<string?> _faultSchedule = new("--fault-schedule") { Description = "relay-cluster: random:EVERY restarts (SIGKILL, start again) a random relay or NATS node every EVERY of the measured window, e.g. random:30s." };
    private readonly Option<int?> _faultSeed = new("--fault-seed") { Description = "relay-cluster: the seed of --fault-schedule's picks, to repeat a run (default: a new one, recorded in the result)." };

    /// <summary>The options.</summary>
    public ClusterArguments() => _transport.AcceptOnlyFromAmong("tcp", "ws");

    /// <summary>Whether <paramref name="target"/> names the relay cluster this command starts.</summary>
    public static bool IsCluster(string target) => target.Trim().Equals(TargetName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="target"/> is a relay cluster: started here, or at an address.</summary>
    public static bool IsAnyCluster(string target) => IsCluster(target) || ClusterNodes.IsAddress(target);

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_relayNodes, _natsNodes, _transport, _natsCpus, _faults, _faultSchedule, _faultSeed];

    /// <summary>
    /// What the relay-cluster targets need (<c>null</c> when no target is one); <paramref name="problem"/>
    /// is set (one line) when the options do not fit, or relay-cluster is given one it does not take.
    /// </summary>
    public ClusterRequest? Read(ParseResult parseResult, IReadOnlyList<string> targets, TimeSpan measured, bool findMax, out string? problem)
    {
        problem = null;
        bool started = false, addressed = false;
        foreach (var target in targets)
        {
            started |= IsCluster(target);
            addressed |= ClusterNodes.IsAddress(target);
        }

        var faultTexts = parseResult.GetValue(_faults) ?? [];
        var scheduleText = parseResult.GetValue(_faultSchedule);
        var seed = parseResult.GetValue(_faultSeed);
        var sized = Given(parseResult, _relayNodes) || Given(parseResult, _natsNodes);
        var startsSomething = faultTexts.Length > 0 || scheduleText is not null || seed is not null || parseResult.GetValue(_natsCpus) is not null;
        if (!started && !addressed)
        {
            problem = startsSomething || sized || Given(parseResult, _transport) ? "--fault, --fault-schedule, --fault-seed, --relay-nodes, --nats-nodes, --nats-cpus and --transport apply to --target relay-cluster only." : null;
            return null;
        }

        var transport = parseResult.GetValue(_transport) == "ws" ? ClusterTransport.WebSocket : ClusterTransport.Tcp;
        var relays = parseResult.GetValue(_relayNodes);
        var nats = parseResult.GetValue(_natsNodes);
        if (relays is < 1 or > MaxRelayNodes || nats is < 1 or > MaxNatsNodes)
        {
            problem = $"--relay-nodes must be 1 to {MaxRelayNodes} and --nats-nodes 1 to {MaxNatsNodes}.";
            return null;
        }

        if (!started)
        {
            // A fleet at an address: its size only describes it in the result (nothing is started here).
            problem = startsSomething || Mentions(parseResult, "--target-cpus")
                ? "--fault, --fault-schedule, --fault-seed, --nats-cpus and --target-cpus act on a relay cluster this command starts (--target relay-cluster), not on one at an address."
                : null;
            return problem is null ? new ClusterRequest(null, transport, Given(parseResult, _relayNodes) ? relays : null, nats) : null;
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

        RandomFaultSchedule? schedule = null;
        if (scheduleText is not null)
        {
            if (!RandomFaultSchedule.TryParseEvery(scheduleText, out var every, out problem))
            {
                return null;
            }

            schedule = new RandomFaultSchedule(every, seed ?? RandomFaultSchedule.NewSeed());
            faults.AddRange(schedule.Faults(relays, nats, measured));
        }
        else if (seed is not null)
        {
            problem = "--fault-seed is the seed of --fault-schedule's picks: give --fault-schedule random:EVERY too.";
            return null;
        }

        if (findMax && faults.Count > 0)
        {
            problem = "--fault and --fault-schedule count from one measured window; --find-max runs many: give one or the other.";
            return null;
        }

        if (!PlacementArguments.TryCpus(parseResult.GetValue(_natsCpus), "--nats-cpus", out var natsCpus, ref problem))
        {
            return null;
        }

        problem = Unsupported(parseResult);
        return problem is null ? new ClusterRequest(new RelayClusterPlan(relays, nats, faults) { Transport = transport, NatsCpus = natsCpus, Schedule = schedule }, transport, relays, nats) : null;
    }

    private static bool Given(ParseResult parseResult, Option option) => parseResult.GetResult(option) is { Implicit: false };

    private static bool Mentions(ParseResult parseResult, string name)
    {
        foreach (var token in parseResult.Tokens)
        {
            if (token.Value == name)
            {
                return true;
            }
        }

        return false;
    }

    // Options relay-cluster does not take (it starts its own relay and NATS processes with their own keys and store); a one-line problem or null.
    private static string? Unsupported(ParseResult parseResult)
    {
        foreach (var name in (string[])["--target-process", "--relay-process", "--reconnect-storm", "--store", "--relay-key", "--ws-secret", "--handshake-flood"])
        {
            if (Mentions(parseResult, name))
            {
                return $"{name} does not apply to relay-cluster: it starts its own relay and NATS processes, with their own key, secret and store.";
            }
        }

        return null;
    }
}

/// <summary>What the relay-cluster targets of a command need.</summary>
/// <param name="Plan">The cluster to start (<c>--target relay-cluster</c>), or <c>null</c> when only an address is driven.</param>
/// <param name="Transport">How the clients reach the nodes.</param>
/// <param name="RelayNodes">The relay nodes, for the result: the plan's, or as described for a fleet at an address (<c>null</c>: one per address).</param>
/// <param name="NatsNodes">The NATS nodes, for the result: the plan's, or as described (<c>--nats-nodes</c>) for a fleet at an address.</param>
internal sealed record ClusterRequest(RelayClusterPlan? Plan, ClusterTransport Transport, int? RelayNodes, int NatsNodes)
{
    /// <summary>The plan with the relays (and, unless given apart, the NATS nodes) pinned to <paramref name="cpus"/>.</summary>
    public ClusterRequest PinnedTo(CpuSet? cpus) => Plan is null || cpus is null ? this : this with { Plan = Plan with { RelayCpus = cpus, NatsCpus = Plan.NatsCpus ?? cpus } };

    /// <summary>The plan with every relay's <c>--store-publish-window</c> set to <paramref name="microseconds"/>.</summary>
    public ClusterRequest WithPublishWindow(int microseconds) => Plan is null ? this : this with { Plan = Plan with { PublishWindowMicroseconds = microseconds } };
}
