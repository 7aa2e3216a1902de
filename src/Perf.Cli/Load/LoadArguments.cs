using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load;
using Perf.Load.Os;

namespace Perf.Cli.Load;

/// <summary>
/// <c>perf load</c>'s option groups, in the order <c>--help</c> lists them, and the one place
/// that reads them into a <see cref="LoadRequest"/>: each group checks its own options, in this
/// order, and the first problem is the command's one-line error.
/// </summary>
internal sealed record LoadArguments(
    LoadTargetArguments Targets,
    ScenarioArguments Scenario,
    RelayAccessArguments RelayAccess,
    CipherArguments Cipher,
    ResultOutputArguments Output,
    FindMaxArguments FindMax,
    RelayModeArguments RelayMode,
    TargetStoreArguments Store,
    PlacementArguments Placement,
    HandshakeFloodArguments HandshakeFlood,
    NetworkArguments Network,
    ClientBehaviourArguments Behaviours,
    SoakArguments Soak,
    ClusterArguments Cluster,
    ShardArguments Shards)
{
    /// <summary>Every group, in <c>--help</c> order.</summary>
    public OptionGroup[] Groups => [Targets, Scenario, RelayAccess, Cipher, Output, FindMax, RelayMode, Store, Placement, HandshakeFlood, Network, Behaviours, Soak, Cluster, Shards];

    /// <summary>The request, or false with a one-line <paramref name="problem"/> (exit 2).</summary>
    public bool TryRead(ParseResult parseResult, out LoadRequest? request, out string? problem)
    {
        request = null;
        var names = Targets.Read(parseResult);
        if (!Targets.TryReadRepeat(parseResult, out var repeat, out problem)
            || Scenario.Read(parseResult, out problem) is not { } scenario
            || !Output.TryRead(parseResult, names, out var outPath, out problem))
        {
            return false;
        }

        if (outPath is not null && repeat > 1)
        {
            problem = "--out takes one run; with --repeat every round's run goes into the run folder under results/runs/.";
            return false;
        }

        if (!FindMax.TryRead(parseResult, out var search, out problem))
        {
            return false;
        }

        var cluster = Cluster.Read(parseResult, names, scenario.Duration, search is not null, out problem);
        if (problem is not null
            || Shards.Read(parseResult, names, scenario.Connections, search is not null, out problem) is not { } shards
            || (shards.Processes > 1 && repeat > 1 && (problem = "--shard and --generators split one run: not --repeat.") is not null)
            || Placement.Read(parseResult, names, scenario.Connections, shards.Processes, out problem) is not { } placement
            || !LoadTargetArguments.RunAlike(names, placement.TargetProcess, out problem)
            || !RelayMode.TryRead(parseResult, names, out var mode, out problem)
            || !HandshakeFlood.TryRead(parseResult, search is not null, out var flood, out problem)
            || !Network.TryRead(parseResult, names, out var network, out problem)
            || Behaviours.Read(parseResult, names, placement.IdleConnections, out problem) is not { } behaviours
            || !Soak.TryRead(parseResult, scenario.Duration, search is not null, out var seriesInterval, out var soak, out var induceCollections, out problem))
        {
            return false;
        }

        // One minute for both: the series' entries and the per-minute shares of the behaviours.
        scenario = scenario with { Behaviours = behaviours with { Minute = seriesInterval, Seed = scenario.Seed }, SeriesInterval = seriesInterval };

        var cipher = Cipher.Read(parseResult);
        if (cipher.Unsupported is { } unsupported)
        {
            problem = $"--backend {cipher.BackendName} cannot run {cipher.CipherName} on this machine: {unsupported}.";
            return false;
        }

        if (!Store.TryRead(parseResult, names, placement, out var store, out var publishWindow, out problem))
        {
            return false;
        }

        if (cluster?.Plan is { } plan && placement.IdleConnections > 0
            && OpenFileLimit.Shortfall(((long)placement.IdleConnections + scenario.Connections * 2 + plan.RelayNodes - 1) / plan.RelayNodes, OpenFileLimit.HardLimit()) is { } relayShortfall)
        {
            // Each relay node holds its share of the idle clients and the run's connections.
            problem = $"per relay node (--relay-nodes {plan.RelayNodes}): {relayShortfall} Or add relay nodes.";
            return false;
        }

        var (relayKey, wsSecret) = RelayAccess.Read(parseResult);
        var target = new LoadTargetOptions(relayKey, wsSecret, cipher.CipherName, cipher.BackendName, placement.TargetProcess, placement.TargetCpus, mode, store, publishWindow);
        var extras = new LoadJobExtras(search, placement.IdleConnections, placement.ReconnectStorm, placement.GeneratorCpus, flood, network, placement.HeldMessages, soak, SoakInducesCollections: soak is not null && induceCollections);
        request = new LoadRequest(names, repeat, scenario, outPath, target, extras, placement, cluster?.PinnedTo(placement.TargetCpus).WithPublishWindow(publishWindow), shards);
        return true;
    }
}

/// <summary>A <c>perf load</c> command line, checked.</summary>
/// <param name="Targets">The targets, run one after another.</param>
/// <param name="Repeat">Rounds of the targets, interleaved.</param>
/// <param name="Scenario">The scenario every target runs.</param>
/// <param name="OutPath">Where to copy the one target's result, or <c>null</c>.</param>
/// <param name="Target">How targets are opened.</param>
/// <param name="Extras">A find-max search, idle clients, a reconnect storm, the generator's CPUs, a handshake flood, an impaired network.</param>
/// <param name="Placement">Where the target and the generator run.</param>
/// <param name="Cluster">What relay-cluster targets need (the cluster to start, the transport), when a target is one.</param>
/// <param name="Shards">How the run is split over processes (<c>--shard</c>, <c>--generators</c>).</param>
internal sealed record LoadRequest(string[] Targets, int Repeat, LoadScenario Scenario, string? OutPath, LoadTargetOptions Target, LoadJobExtras Extras, TargetPlacement Placement, ClusterRequest? Cluster, ShardOptions Shards);
