using System.Net;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Idle;
using Perf.Load.Output;
using Perf.Load.Processes;
using Perf.Load.Shards;
using Perf.Load.Targets;
using Perf.Load.Targets.Cluster;
using Perf.Load.Targets.Relay;
using Perf.Results.Files;
using Perf.Results.Model;
using Relay.Crypto.Aead;

namespace Perf.Cli.Load;

/// <summary>
/// <c>perf load --target relay-cluster</c>: starts the NATS cluster and the relay nodes (or drives
/// a fleet at <c>relay-cluster://HOST:PORT,...</c>), holds idle clients spread over the nodes, runs
/// the workload over them with the plan's faults (one run, a find-max search, or one shard's
/// slice), and writes a result whose target section sums the relay processes and whose cluster
/// section holds the NATS processes, the faults and the failover counts.
/// </summary>
internal static class ClusterLoadJob
{
    // A NATS node's death stalls JetStream until it elects new leaders (publishes refused, consumers
    // re-created), seconds on nats-server 2.9: messages accepted before it arrive late, not never, so
    // the drain waits longer than a single node's before it counts what is missing as lost.
    private static readonly TimeSpan ClusterDrain = TimeSpan.FromSeconds(20);

    /// <summary>Runs <paramref name="scenario"/> (the whole run's; a shard runs its slice) against the cluster and writes a run folder under <paramref name="resultsParent"/>.</summary>
    /// <exception cref="LoadTargetException">A process did not start, or the fleet could not be reached.</exception>
    /// <remarks>
    /// Longer than most (about 100 lines) on purpose: the cluster, the idle clients and the targets
    /// live in its <c>await using</c> scopes, disposed in that order after the result is read; split
    /// up, each part would have to hand their ownership on.
    /// </remarks>
    public static async Task<(LoadRunResult Run, string ResultPath, PerfResult Result)> RunAsync(
        string targetName,
        ClusterRequest request,
        LoadScenario scenario,
        LoadTargetOptions options,
        LoadJobExtras extras,
        string commandLine,
        EnvironmentInfo environment,
        string resultsParent,
        TextWriter output,
        CancellationToken cancellationToken)
    {
        scenario = WithClusterDrain(scenario);
        var shard = extras.Shard;
        var slice = shard?.Plan.Slice(scenario) ?? scenario;
        var plan = request.Plan;
        await using var cluster = plan is null ? null : await StartAsync(plan, options, generators: 1, output, cancellationToken).ConfigureAwait(false);
        var nodes = cluster is null ? await AtAddressAsync(targetName, request.Transport, options, cancellationToken).ConfigureAwait(false) : ClusterNodes.Of(cluster.Relays, request.Transport);
        var mode = options.Mode ?? RelayTargetMode.Plain;
        var description = Describe(nodes, cluster, mode) + (shard is null ? "" : $", shard {shard.Plan}");
        await output.WriteLineAsync($"load {description}: {slice.Connections} connections, {slice.RatePerSecond} msgs/s, {slice.MessageSize} B, {slice.Duration.TotalSeconds}s after {slice.Warmup.TotalSeconds}s warm-up").ConfigureAwait(false);

        var idleCount = shard?.Plan.CountOf(extras.IdleConnections) ?? extras.IdleConnections;
        await using var idle = idleCount > 0 ? IdlePool(nodes, options, idleCount, generators: shard?.Plan.Count ?? 1, sourceBlock: shard?.Plan.Index ?? 0) : null;
        var idleMemory = idle is null ? null : await HoldIdleAsync(idle, idleCount, cluster?.Relays.Processes, cluster?.Nats.Processes, output, cancellationToken).ConfigureAwait(false);
        if (extras.HeldMessages > 0 && cluster is null)
        {
            throw new LoadTargetException("--held-messages measures the memory and disk of a cluster started here: give --target relay-cluster, not an address.");
        }

        var heldCost = extras.HeldMessages > 0 ? await HeldMessageRun.OnClusterAsync(cluster!, extras.HeldMessages, scenario.MessageSize, options, output, cancellationToken).ConfigureAwait(false) : null;

        var cipher = AeadAlgorithm.Parse(options.Cipher);
        var backend = AeadBackend.Parse(options.Backend);
        var targets = new List<ClusterTarget>();
        ClusterTarget NewTarget()
        {
            var target = cluster is not null ? new ClusterTarget(cluster, request.Transport, cipher, backend, mode) : new ClusterTarget(nodes, cipher, backend, mode, slice.Slice?.First ?? 0);
            targets.Add(target);
            return target;
        }

        LoadRunResult run;
        FindMaxSearchResult? findMax = null;
        ClusterOutcome outcome;
        IReadOnlyList<long?>? perNode = null;
        try
        {
            if (extras.Search is { } search)
            {
                findMax = await LoadJob.FindMaxAsync(NewTarget, slice, search.Slo, search.Steps, cluster?.Usage, output, cancellationToken).ConfigureAwait(false);
                var best = LoadJob.BestStep(findMax);
                run = best.Run;
                // Each step connected a target of its own, in order, after the discarded warm-up step's.
                outcome = ClusterOutcome.Of(targets, targets[IndexOf(findMax.Steps, best) + (search.Steps.WarmUpStep ? 1 : 0)]);
            }
            else
            {
                var view = new LoadProgressView(output, LoadProgressView.CanRunLive(output));
                var target = NewTarget();

                // Once connected (a started cluster): each node's own count of its connections, then start.
                Func<CancellationToken, Task<DateTimeOffset>>? gate = shard is not null ? shard.StartGateAsync : null;
                if (shard is null && cluster is not null)
                {
                    gate = async ct =>
                    {
                        perNode = await ConnectionsPerNodeAsync(cluster, output, ct).ConfigureAwait(false);
                        return DateTimeOffset.UtcNow.AddMilliseconds(100);
                    };
                }
                run = await view.RunAsync(description, p => new OpenLoopRunner(slice, cluster?.Usage) { StartGate = gate }.RunAsync(target, p, cancellationToken)).ConfigureAwait(false);
                outcome = ClusterOutcome.Of(targets, target);
            }
        }
        finally
        {
            // Their fault tasks record every fault before the results are read.
            foreach (var target in targets)
            {
                await target.DisposeAsync().ConfigureAwait(false);
            }
        }

        var held = idle?.CountOpen();
        var relayResident = cluster?.Relays.Processes.Sample().ResidentBytes;
        var natsResident = cluster?.Nats.Processes.Sample().ResidentBytes;
        var keepAlive = idle is null || cluster is null ? null : await IdleConnections.KeepAliveCostAsync(idle, cluster.Relays.Processes, cancellationToken).ConfigureAwait(false);
        var faults = cluster is null ? [] : await FaultRecordsAsync(cluster.Applied, output).ConfigureAwait(false);
        await output.WriteLineAsync(outcome.Summary(run.Recorders.Duplicates)).ConfigureAwait(false);
        var relayUsage = Usage(cluster is null ? null : $"perf relay x{plan!.RelayNodes}", plan?.RelayCpus, run.TargetUsage);
        if (relayUsage is not null && idleMemory is not null)
        {
            // Memory, resident and keep-alive figures are the relay processes' together, over which the idle clients are spread.
            relayUsage = relayUsage with
            {
                IdleConnections = held, MemoryPerConnectionBytes = idleMemory.TargetBytesPerConnection, KernelMemoryPerConnectionBytes = idleMemory.KernelBytesPerConnection,
                KernelMemorySource = idleMemory.KernelBytesPerConnection is null ? null : idleMemory.KernelSource, ResidentBytes = relayResident, CpuUsPerKeepAlive = keepAlive,
            };
        }

        var natsUsage = cluster is null ? null : Usage($"nats-server x{plan!.NatsNodes}", plan.NatsCpus, cluster.Usage.NatsBetweenFirstAndLast(run.Recorders.Delivered));
        if (natsUsage is not null)
        {
            natsUsage = natsUsage with
            {
                ResidentBytes = natsResident, IdleConnections = idleMemory is null ? null : held, MemoryPerConnectionBytes = idleMemory?.BesideBytesPerConnection,
                HeldMessages = heldCost?.BesideBytesPerMessage is { } perMessage ? new HeldMessages { Messages = heldCost.Accepted, MemoryPerMessageBytes = perMessage, DiskPerMessageBytes = heldCost.DiskBytesPerMessage } : null,
            };
        }

        if (relayUsage is not null && heldCost is not null)
        {
            relayUsage = relayUsage with { HeldMessages = new HeldMessages { Messages = heldCost.Accepted, MemoryPerMessageBytes = heldCost.TargetBytesPerMessage } };
        }

        var generator = run.GeneratorUsage is { } g ? new GeneratorUsage { Cpus = extras.GeneratorCpus?.ToString(), CoresUsed = g.Cores, CpuUsPerMessage = g.CpuMicrosecondsPerMessage, ContextSwitchesPerMessage = g.ContextSwitchesPerMessage, MemoryPerIdleConnectionBytes = idleMemory?.GeneratorBytesPerConnection } : null;
        await WriteUsageAsync(relayUsage, natsUsage, generator, output).ConfigureAwait(false);

        var result = LoadResultFiles.ToResult(run, commandLine, options.Cipher, options.Backend, environment, findMax, relayUsage, generator);
        result = result with
        {
            // A search's steps are judged by their own counts; one run's loss is each message's.
            Metrics = findMax is null ? result.Metrics with { Lost = outcome.Lost } : result.Metrics,
            Cluster = outcome.ToRun(request, plan, faults, natsUsage, nodes.Count) with { ConnectionsPerNode = perNode },
        };
        if (shard is not null)
        {
            result = shard.Decorate(result, run, scenario);
        }

        var folder = RunFolder.Create(resultsParent, $"load-{ClusterArguments.TargetName}{shard?.FolderSuffix}");
        return (run, LoadResultFiles.Write(folder, result, run), result);
    }

    /// <summary>Each relay node's open connections by its own count, printed.</summary>
    public static async Task<long?[]> ConnectionsPerNodeAsync(RelayCluster cluster, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var endPoints = new IPEndPoint?[cluster.Relays.Count];
        for (var i = 0; i < endPoints.Length; i++)
        {
            endPoints[i] = cluster.Relays.WebSocketEndPointOf(i);
        }

        var counts = await RelayNodeMetrics.ConnectionsAsync(endPoints, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"relay nodes' own connection counts: {string.Join(", ", counts.Select(c => c?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"))}").ConfigureAwait(false);
        return counts;
    }

    /// <summary>The scenario with the drain a cluster's faults need.</summary>
    public static LoadScenario WithClusterDrain(LoadScenario scenario) =>
        scenario with { DrainTimeout = scenario.DrainTimeout > ClusterDrain ? scenario.DrainTimeout : ClusterDrain };

    /// <summary>Starts the cluster of <paramref name="plan"/>, saying where its processes run and warning when they outnumber the cores.</summary>
    public static async Task<RelayCluster> StartAsync(RelayClusterPlan plan, LoadTargetOptions options, int generators, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"relay-cluster: starting {plan.NatsNodes} nats-server (JetStream, replicas {plan.StoreReplicas}{Pinned(plan.NatsCpus)}) and {plan.RelayNodes} perf relay processes{Pinned(plan.RelayCpus)}").ConfigureAwait(false);
        if (Oversubscribed(plan, generators) is { } warning)
        {
            await output.WriteLineAsync(warning).ConfigureAwait(false);
        }

        return await RelayCluster.StartAsync(plan, PerfChildCommand.StartInfo, options.Cipher, options.Backend, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A warning when the cluster's processes and the generators outnumber the cores they may run
    /// on: their figures then include waiting for a core (on a 2-vCPU machine, always).
    /// </summary>
    public static string? Oversubscribed(RelayClusterPlan plan, int generators)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var cores = Environment.ProcessorCount;
        var processes = plan.RelayNodes + plan.NatsNodes + generators;
        return processes <= cores ? null
            : $"warning: {plan.RelayNodes} relay + {plan.NatsNodes} nats-server + {generators} generator processes share {cores} cores{(plan.RelayCpus is { } cpus ? $" (relays on CPUs {cpus}{(plan.NatsCpus is { } n && n.ToString() != cpus.ToString() ? $", NATS on {n}" : "")})" : "")}: latency includes waiting for a core; CPU per message is still each process's own.";
    }

    /// <summary>The idle clients' pool: client i on node i mod N, over the cluster's transport, in-flight openings kept under each node's busy threshold.</summary>
    public static IdleConnectionPool IdlePool(ClusterNodes nodes, LoadTargetOptions options, int count, int generators, int sourceBlock)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var endPoints = new IPEndPoint[nodes.Count];
        for (var i = 0; i < endPoints.Length; i++)
        {
            endPoints[i] = nodes.EndPointOf(i) ?? throw new LoadTargetException($"relay node {i} is down: idle clients cannot be opened to it.");
        }

        IdleProtocol protocol = nodes.Transport == ClusterTransport.WebSocket
            ? new WebSocketIdleProtocol(endPoints[0], nodes.WebSocketSecret!)
            : new NoiseIdleProtocol(nodes.RelayKey, AeadAlgorithm.Parse(options.Cipher), AeadBackend.Parse(options.Backend));

        // A relay is busy at 1,000 unfinished handshakes (then finished ones stop being given back
        // and each source gets 20 a second): every generator's openings together stay below it per node.
        var inFlight = Math.Clamp(800 * nodes.Count / Math.Max(1, generators), 16, 256);
        return new IdleConnectionPool(endPoints, protocol, count, inFlight, sourceBlock: sourceBlock);
    }

    /// <summary>The fault records of a run, each printed as it became.</summary>
    public static async Task<List<ClusterFaultRecord>> FaultRecordsAsync(IReadOnlyList<AppliedFault> applied, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(applied);
        var faults = new List<ClusterFaultRecord>(applied.Count);
        foreach (var fault in applied)
        {
            faults.Add(Record(fault));
            await output.WriteLineAsync($"fault {fault.Fault}: {(fault.AppliedSeconds is { } at ? $"applied at {at:F2}s{(fault.ReadySeconds is { } ready ? $", back at {ready:F2}s" : "")}" : "not applied")}{(fault.Problem is { } why ? $" ({why})" : "")}").ConfigureAwait(false);
        }

        return faults;
    }

    /// <summary>A process group's usage as a result section.</summary>
    public static TargetUsage? Usage(string? process, Perf.Load.Os.CpuSet? cpus, ProcessUsage? usage) => process is null || usage is null ? null : new TargetUsage
    {
        Process = process,
        Cpus = cpus?.ToString(),
        CoresUsed = usage.Cores,
        CpuUsPerMessage = usage.CpuMicrosecondsPerMessage,
        ContextSwitchesPerMessage = usage.ContextSwitchesPerMessage,
    };

    /// <summary>Prints the relays', NATS nodes' and generator's CPU.</summary>
    public static async Task WriteUsageAsync(TargetUsage? relays, TargetUsage? nats, GeneratorUsage? generator, TextWriter output)
    {
        if (relays is not null && nats is not null)
        {
            await output.WriteLineAsync($"target {relays.Process}: {relays.CoresUsed:F2} cores, {relays.CpuUsPerMessage:F1} us CPU per message; {nats.Process}: {nats.CoresUsed:F2} cores, {nats.CpuUsPerMessage:F1} us CPU per message; generator {generator?.CoresUsed:F2} cores, {generator?.CpuUsPerMessage:F1} us per message").ConfigureAwait(false);
        }
    }

    // A fleet someone else runs: every address resolved, the key to pin and (WebSocket) the token secret.
    private static async Task<ClusterNodes> AtAddressAsync(string target, ClusterTransport transport, LoadTargetOptions options, CancellationToken cancellationToken)
    {
        if (!ClusterNodes.TryParseAddress(target, out var parts, out var error))
        {
            throw new LoadTargetException(error!);
        }

        var endPoints = new List<IPEndPoint>(parts.Count);
        foreach (var (host, port) in parts)
        {
            endPoints.Add(await new TargetAddress(TargetScheme.RelayTcp, host, port).ResolveAsync(cancellationToken).ConfigureAwait(false));
        }

        var key = LoadTargetFactory.RelayKey(options);
        var secret = transport == ClusterTransport.WebSocket ? LoadTargetFactory.WsSecret(options) : null;
        return ClusterNodes.At(endPoints, key, secret, transport);
    }

    private static string Describe(ClusterNodes nodes, RelayCluster? cluster, RelayTargetMode mode)
    {
        var transport = nodes.Transport == ClusterTransport.WebSocket ? "WebSocket" : "Noise/TCP";
        var where = cluster is null ? nodes.Address : $"{cluster.Plan.RelayNodes} relays on {cluster.Plan.NatsNodes} NATS: {cluster.Nats.Urls}";
        var faults = cluster is null || cluster.Plan.Faults.Count == 0 ? "" : cluster.Plan.Schedule is { } schedule ? $", faults {schedule} seed {schedule.Seed}: {string.Join(' ', cluster.Plan.Faults)}" : $", faults {string.Join(' ', cluster.Plan.Faults)}";
        return $"relay-cluster ({where}; {transport}, {mode}){faults}";
    }

    private static int IndexOf(IReadOnlyList<FindMaxSearchStep> steps, FindMaxSearchStep step)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            if (ReferenceEquals(steps[i], step))
            {
                return i;
            }
        }

        throw new InvalidOperationException("the best step is one of the search's steps");
    }

    private static string Pinned(Perf.Load.Os.CpuSet? cpus) => cpus is null ? "" : $", CPUs {cpus}";

    // Idle clients spread over the relay nodes (one NATS subscription each, as any online identity
    // has); the relays' memory (all of them together, when started here) is read after each half.
    private static async Task<IdleMemory> HoldIdleAsync(IdleConnectionPool pool, int count, ProcessGroup? relays, ProcessGroup? nats, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"idle: opening {count} idle authenticated connections spread over the relay nodes ({pool.InFlight} at a time{(relays is null ? "" : ", memory read after each half")})").ConfigureAwait(false);
        var progress = new Progress<int>(opened =>
        {
            if (opened % 10_000 == 0)
            {
                output.WriteLine($"idle: {opened} opened");
            }
        });
        var memory = await IdleConnections.OpenAsync(pool, count, (IProcessResources?)relays ?? NoProcess.Instance, progress, cancellationToken, nats).ConfigureAwait(false);
        pool.KeepAlivePaused = true;
        await output.WriteLineAsync($"idle: {memory.Held} held, {memory.Failed} failed{(pool.FirstError is { } why ? $" (first: {why})" : "")}{(relays is null ? "" : $"; {memory.TargetBytesPerConnection / 1024:F2} KiB per connection in the relays")}, {memory.GeneratorBytesPerConnection / 1024:F2} KiB in the generator").ConfigureAwait(false);
        return memory;
    }

    private static ClusterFaultRecord Record(AppliedFault applied) => new()
    {
        Fault = applied.Fault.ToString(),
        Action = applied.Fault.Action == FaultAction.Kill ? "kill" : "restart",
        Node = applied.Fault.KindName,
        Index = applied.Fault.Node,
        ScheduledS = applied.Fault.At.TotalSeconds,
        AppliedS = applied.AppliedSeconds is { } at ? Math.Round(at, 3) : null,
        ReadyS = applied.ReadySeconds is { } ready ? Math.Round(ready, 3) : null,
        Problem = applied.Problem,
    };

    // A fleet at an address has no process here to read.
    private sealed class NoProcess : IProcessResources
    {
        public static readonly NoProcess Instance = new();

        public ProcessResourceSample Sample() => new(TimeSpan.Zero, 0, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
    }
}

/// <summary>What a cluster run's clients saw: the measured run's loss (or every step's, for a search) and the failover counters of every target.</summary>
/// <param name="Lost">Accepted, never delivered (the measured target's).</param>
/// <param name="Unanswered">Sent, never answered (the measured target's).</param>
/// <param name="Counters">Failover counters, summed over every target (a search's steps).</param>
/// <param name="VerifierRefreshes">Sealed sender: restarted nodes given every verifier again.</param>
internal sealed record ClusterOutcome(long Lost, long Unanswered, ClusterCounts Counters, long VerifierRefreshes)
{
    /// <summary>The outcome of <paramref name="measured"/>, with the counters of every target in <paramref name="all"/>.</summary>
    public static ClusterOutcome Of(IReadOnlyList<ClusterTarget> all, ClusterTarget measured)
    {
        var (lost, unanswered) = measured.Ledger.Count();
        var counts = new ClusterCounts(0, 0, 0, 0, 0);
        long refreshes = 0;
        foreach (var target in all)
        {
            counts += ClusterCounts.Of(target.Counters);
            refreshes += target.VerifierRefreshes;
        }

        return new ClusterOutcome(lost, unanswered, counts, refreshes);
    }

    /// <summary>One line for the console.</summary>
    public string Summary(long duplicates) =>
        $"cluster: {Counters.Reconnects} reconnects, {Counters.Resent} resent, {Counters.RetriedRejections} rejections retried, duplicates {duplicates} ({Counters.RelayIdDuplicates} by relay id, {Counters.ReplayDuplicates} E2E replays), lost {Lost} (accepted, never delivered), unanswered {Unanswered}"
        + (VerifierRefreshes > 0 ? $"; sealed-sender verifiers registered again with a restarted node {VerifierRefreshes} times" : "");

    /// <summary>The result's cluster section.</summary>
    public ClusterRun ToRun(ClusterRequest request, RelayClusterPlan? plan, IReadOnlyList<ClusterFaultRecord> faults, TargetUsage? nats, int addresses)
    {
        ArgumentNullException.ThrowIfNull(request);
        var natsNodes = plan?.NatsNodes ?? request.NatsNodes;
        return new ClusterRun
        {
            RelayNodes = plan?.RelayNodes ?? request.RelayNodes ?? addresses,
            NatsNodes = natsNodes,
            StoreReplicas = Math.Min(3, natsNodes),
            Transport = request.Transport == ClusterTransport.WebSocket ? "ws" : "tcp",
            FaultSchedule = plan?.Schedule?.ToString(),
            FaultSeed = plan?.Schedule?.Seed,
            Faults = faults,
            Nats = nats,
            Reconnects = Counters.Reconnects,
            Resent = Counters.Resent,
            RetriedRejections = Counters.RetriedRejections,
            RelayIdDuplicates = Counters.RelayIdDuplicates,
            ReplayDuplicates = Counters.ReplayDuplicates,
            Unanswered = Unanswered,
        };
    }
}

/// <summary>The clients' failover counters as numbers that add.</summary>
internal sealed record ClusterCounts(long Reconnects, long Resent, long RetriedRejections, long RelayIdDuplicates, long ReplayDuplicates)
{
    /// <summary>A target's counters now.</summary>
    public static ClusterCounts Of(ClusterClientCounters c) => new(c.Reconnects, c.Resent, c.RetriedRejections, c.RelayIdDuplicates, c.ReplayDuplicates);

    /// <summary>Both summed.</summary>
    public static ClusterCounts operator +(ClusterCounts a, ClusterCounts b) =>
        new(a.Reconnects + b.Reconnects, a.Resent + b.Resent, a.RetriedRejections + b.RetriedRejections, a.RelayIdDuplicates + b.RelayIdDuplicates, a.ReplayDuplicates + b.ReplayDuplicates);
}
