using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load.Os;

namespace Perf.Cli.Load;

/// <summary>
/// The <c>perf load</c> options that place the target and the generator: the target in its own
/// process (<c>--target-process</c>, alias <c>--relay-process</c>), both pinned to CPUs, idle
/// clients held to the target, a reconnect storm, and messages held for offline recipients.
/// </summary>
internal sealed class PlacementArguments : OptionGroup
{
    /// <summary>The most idle clients or storm clients one run may ask for.</summary>
    public const int MaxClients = 1_000_000;

    private readonly Option<bool> _targetProcess = new("--target-process", "--relay-process")
    {
        Description = "Start a bare-name target (relay-tcp, relay-ws, echo) as its own perf process, as nats-server always is, and record its cores, CPU per message and memory in the result's target section.",
    };

    private readonly Option<string?> _targetCpus = new("--target-cpus") { Description = "Pin the target process to these CPUs (Linux), e.g. 1 or 2-3." };
    private readonly Option<string?> _generatorCpus = new("--generator-cpus") { Description = "Pin this generator process to these CPUs (Linux), e.g. 0." };
    private readonly Option<int> _idleConnections = new("--idle-connections") { Description = "Idle authenticated clients held to the target process during the run; records how many were held and the memory per connection." };
    private readonly Option<int> _reconnectStorm = new("--reconnect-storm") { Description = "After the run, this many clients drop at once and reconnect; records the time until all are authenticated again." };
    private readonly Option<int> _heldMessages = new("--held-messages") { Description = "Relay targets: before the run, leave this many messages for recipients that never connect (10 each); records the relay's (and its store's) memory and JetStream's disk per held message." };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_targetProcess, _targetCpus, _generatorCpus, _idleConnections, _reconnectStorm, _heldMessages];

    /// <summary>Reads and checks the options for <paramref name="targets"/>; <c>null</c> with <paramref name="problem"/> set when they do not fit.</summary>
    /// <param name="parseResult">The command line.</param>
    /// <param name="targets">The targets.</param>
    /// <param name="connections">The run's connections.</param>
    /// <param name="processes">How many generator processes share the connections and idle clients (shards, generators).</param>
    /// <param name="problem">Why the options do not fit.</param>
    public TargetPlacement? Read(ParseResult parseResult, IReadOnlyList<string> targets, int connections, int processes, out string? problem)
    {
        var ownProcess = parseResult.GetValue(_targetProcess);
        var idle = parseResult.GetValue(_idleConnections);
        var storm = parseResult.GetValue(_reconnectStorm);
        var held = parseResult.GetValue(_heldMessages);
        problem = null;
        if (ownProcess && !targets.All(LoadTargetFactory.IsBareName))
        {
            problem = "--target-process starts the target itself: use it with a bare target name (relay-tcp, relay-ws, echo, nats, jetstream), not an address.";
            return null;
        }

        // A relay cluster at an address takes idle clients too: they go to its nodes, as to one started here.
        var allProcesses = targets.All(t => ClusterArguments.IsAnyCluster(t) || LoadTargetArguments.RunsInOwnProcess(t, ownProcess));
        if (idle is < 0 or > MaxClients || storm is < 0 or > MaxClients)
        {
            problem = $"--idle-connections and --reconnect-storm must be 0 to {MaxClients}.";
            return null;
        }

        if (held is < 0 or > MaxClients)
        {
            problem = $"--held-messages must be 0 to {MaxClients}.";
            return null;
        }

        if ((idle > 0 || storm > 0 || held > 0 || parseResult.GetValue(_targetCpus) is not null) && !allProcesses)
        {
            problem = "--target-cpus, --idle-connections, --reconnect-storm and --held-messages act on the target's own process: add --target-process (with a bare target name).";
            return null;
        }

        if (!TryCpus(parseResult.GetValue(_targetCpus), "--target-cpus", out var targetCpus, ref problem)
            || !TryCpus(parseResult.GetValue(_generatorCpus), "--generator-cpus", out var generatorCpus, ref problem))
        {
            return null;
        }

        // Every socket is a descriptor, in the target and in each generator process (its share).
        var limit = OpenFileLimit.RaiseToHardLimit();
        var shares = Math.Max(1, processes);
        if (OpenFileLimit.Shortfall(((long)idle + Math.Max(0, storm - idle) + connections + shares - 1) / shares, limit) is { } shortfall)
        {
            problem = shortfall;
            return null;
        }

        return new TargetPlacement(ownProcess, targetCpus, generatorCpus, idle, storm, held);
    }

    /// <summary>Parses a CPU list option and checks this process may run on it; false with <paramref name="problem"/> set.</summary>
    internal static bool TryCpus(string? text, string option, out CpuSet? cpus, ref string? problem)
    {
        cpus = null;
        if (text is null)
        {
            return true;
        }

        if (!CpuAffinity.IsSupported)
        {
            problem = $"{option} pins with Linux's sched_setaffinity; this platform cannot pin.";
            return false;
        }

        if (!CpuSet.TryParse(text, out cpus, out var error))
        {
            problem = $"{option}: {error}.";
            return false;
        }

        var available = CpuAffinity.Available();
        if (!cpus!.IsSubsetOf(available))
        {
            problem = $"{option} {cpus}: this process may run on CPUs {available} only.";
            return false;
        }

        return true;
    }
}

/// <summary>Where the target and the generator run, as the options asked.</summary>
/// <param name="TargetProcess">Bare-name targets run as their own process.</param>
/// <param name="TargetCpus">The target process's CPUs, or <c>null</c>.</param>
/// <param name="GeneratorCpus">This process's CPUs, or <c>null</c>.</param>
/// <param name="IdleConnections">Idle clients to hold during the run.</param>
/// <param name="ReconnectStorm">Clients to drop and reconnect after the run.</param>
/// <param name="HeldMessages">Messages to leave for recipients that never connect, before the run.</param>
internal sealed record TargetPlacement(bool TargetProcess, CpuSet? TargetCpus, CpuSet? GeneratorCpus, int IdleConnections, int ReconnectStorm, int HeldMessages = 0)
{
    /// <summary>Pins this process (every thread it has; later ones inherit the mask) when asked.</summary>
    public void Apply()
    {
        if (GeneratorCpus is not null)
        {
            CpuAffinity.PinCurrentProcess(GeneratorCpus);
        }
    }
}
