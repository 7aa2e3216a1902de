using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Idle;
using Perf.Load.Output;
using Perf.Load.Processes;
using Perf.Load.Targets.Cluster;
using Perf.Results.Files;
using Perf.Results.Model;
using Relay.Crypto.Aead;

namespace Perf.Cli.Load;

/// <summary>
/// <c>perf load --target relay-cluster</c>: starts the NATS cluster and the relay nodes, runs the
/// workload over them with the plan's faults, and writes a result whose target section sums the
/// relay processes and whose cluster section holds the NATS processes, the faults and the failover counts.
/// </summary>
internal static class ClusterLoadJob
{
    // A NATS node's death stalls JetStream until it elects new leaders (publishes refused, consumers
    // re-created), seconds on nats-server 2.9: messages accepted before it arrive late, not never, so
    // the drain waits longer than a single node's before it counts what is missing as lost.
    private static readonly TimeSpan ClusterDrain = TimeSpan.FromSeconds(20);

    /// <summary>Runs <paramref name="scenario"/> against a cluster built from <paramref name="plan"/> and writes a run folder under <paramref name="resultsParent"/>.</summary>
    /// <exception cref="Perf.Load.Targets.LoadTargetException">A process did not start.</exception>
    public static async Task<(LoadRunResult Run, string ResultPath, PerfResult Result)> RunAsync(
        RelayClusterPlan plan,
        LoadScenario scenario,
        LoadTargetOptions options,
        LoadJobExtras extras,
        string commandLine,
        EnvironmentInfo environment,
        string resultsParent,
        TextWriter output,
        CancellationToken cancellationToken)
    {
        scenario = scenario with { DrainTimeout = scenario.DrainTimeout > ClusterDrain ? scenario.DrainTimeout : ClusterDrain };
        await output.WriteLineAsync($"relay-cluster: starting {plan.NatsNodes} nats-server (JetStream, replicas {plan.StoreReplicas}) and {plan.RelayNodes} perf relay processes").ConfigureAwait(false);
        await using var cluster = await RelayCluster.StartAsync(plan, PerfChildCommand.StartInfo, options.Cipher, options.Backend, cancellationToken).ConfigureAwait(false);
        var description = $"relay-cluster ({plan.RelayNodes} relays on {plan.NatsNodes} NATS: {cluster.Nats.Urls}){(plan.Faults.Count == 0 ? "" : $", faults {string.Join(' ', plan.Faults)}")}";
        await output.WriteLineAsync($"load {description}: {scenario.Connections} connections, {scenario.RatePerSecond} msgs/s, {scenario.MessageSize} B, {scenario.Duration.TotalSeconds}s after {scenario.Warmup.TotalSeconds}s warm-up").ConfigureAwait(false);

        await using var idle = extras.IdleConnections > 0 ? new IdleConnectionPool(cluster.Relays.EndPointOf(0)!, new NoiseIdleProtocol(cluster.Relays.RelayKey, AeadAlgorithm.Parse(options.Cipher), AeadBackend.Parse(options.Backend)), extras.IdleConnections) : null;
        var idleMemory = idle is null ? null : await HoldIdleAsync(idle, extras.IdleConnections, cluster.Relays.Processes[0]!, cluster.Nats.Processes, output, cancellationToken).ConfigureAwait(false);
        var heldCost = extras.HeldMessages > 0 ? await HeldMessageRun.OnClusterAsync(cluster, extras.HeldMessages, scenario.MessageSize, options, output, cancellationToken).ConfigureAwait(false) : null;

        LoadRunResult run;
        DeliveryLedger ledger;
        ClusterClientCounters counters;
        var view = new LoadProgressView(output, LoadProgressView.CanRunLive(output));
        await using (var target = new ClusterTarget(cluster, AeadAlgorithm.Parse(options.Cipher), AeadBackend.Parse(options.Backend)))
        {
            run = await view.RunAsync(description, p => new OpenLoopRunner(scenario, cluster.Usage).RunAsync(target, p, cancellationToken)).ConfigureAwait(false);
            ledger = target.Ledger;
            counters = target.Counters;
        }

        var held = idle?.CountOpen();
        var (relayResident, natsResident) = (cluster.Relays.Processes[0]?.Sample().ResidentBytes, cluster.Nats.Processes.Sample().ResidentBytes);
        var keepAlive = idle is null ? null : await IdleConnections.KeepAliveCostAsync(idle, cluster.Relays.Processes[0]!, cancellationToken).ConfigureAwait(false);

        // After the target is disposed: its fault task has recorded every fault.
        var faults = new List<ClusterFaultRecord>();
        foreach (var applied in cluster.Applied)
        {
            faults.Add(Record(applied));
            await output.WriteLineAsync($"fault {applied.Fault}: {(applied.AppliedSeconds is { } at ? $"applied at {at:F2}s{(applied.ReadySeconds is { } ready ? $", back at {ready:F2}s" : "")}" : "not applied")}{(applied.Problem is { } why ? $" ({why})" : "")}").ConfigureAwait(false);
        }

        var (lost, unanswered) = ledger.Count();
        var relayUsage = Usage($"perf relay x{plan.RelayNodes}", run.TargetUsage);
        if (relayUsage is not null && idleMemory is not null)
        {
            // Memory, kernel and keep-alive figures are relay node 0's, which held the idle clients.
            relayUsage = relayUsage with
            {
                IdleConnections = held, MemoryPerConnectionBytes = idleMemory.TargetBytesPerConnection, KernelMemoryPerConnectionBytes = idleMemory.KernelBytesPerConnection,
                KernelMemorySource = idleMemory.KernelBytesPerConnection is null ? null : idleMemory.KernelSource, ResidentBytes = relayResident, CpuUsPerKeepAlive = keepAlive,
            };
        }

        var natsUsage = Usage($"nats-server x{plan.NatsNodes}", cluster.Usage.NatsBetweenFirstAndLast(run.Recorders.Delivered));
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
        await output.WriteLineAsync($"cluster: {counters.Reconnects} reconnects, {counters.Resent} resent, {counters.RetriedRejections} rejections retried, duplicates {run.Recorders.Duplicates} ({counters.RelayIdDuplicates} by relay id, {counters.ReplayDuplicates} E2E replays), lost {lost} (accepted, never delivered), unanswered {unanswered}").ConfigureAwait(false);
        if (relayUsage is not null && natsUsage is not null)
        {
            await output.WriteLineAsync($"target {relayUsage.Process}: {relayUsage.CoresUsed:F2} cores, {relayUsage.CpuUsPerMessage:F1} µs CPU per message; {natsUsage.Process}: {natsUsage.CoresUsed:F2} cores, {natsUsage.CpuUsPerMessage:F1} µs CPU per message; generator {generator?.CoresUsed:F2} cores, {generator?.CpuUsPerMessage:F1} µs per message").ConfigureAwait(false);
        }

        var result = LoadResultFiles.ToResult(run, commandLine, options.Cipher, options.Backend, environment, null, relayUsage, generator);
        result = result with
        {
            Metrics = result.Metrics with { Lost = lost },
            Cluster = new ClusterRun
            {
                RelayNodes = plan.RelayNodes,
                NatsNodes = plan.NatsNodes,
                StoreReplicas = plan.StoreReplicas,
                Faults = faults,
                Nats = natsUsage,
                Reconnects = counters.Reconnects,
                Resent = counters.Resent,
                RetriedRejections = counters.RetriedRejections,
                RelayIdDuplicates = counters.RelayIdDuplicates,
                ReplayDuplicates = counters.ReplayDuplicates,
                Unanswered = unanswered,
            },
        };
        var folder = RunFolder.Create(resultsParent, $"load-{ClusterArguments.TargetName}");
        return (run, LoadResultFiles.Write(folder, result, run), result);
    }

    // Idle clients on relay node 0 (one NATS subscription each, as any online identity has), its memory read after each half.
    private static async Task<IdleMemory> HoldIdleAsync(IdleConnectionPool pool, int count, ChildProcess node, ProcessGroup nats, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"idle: opening {count} idle authenticated connections to relay node 0 ({pool.InFlight} at a time, memory read after each half)").ConfigureAwait(false);
        var memory = await IdleConnections.OpenAsync(pool, count, node, null, cancellationToken, nats).ConfigureAwait(false);
        pool.KeepAlivePaused = true;
        await output.WriteLineAsync($"idle: {memory.Held} held, {memory.Failed} failed{(pool.FirstError is { } why ? $" (first: {why})" : "")}; {memory.TargetBytesPerConnection / 1024:F2} KiB per connection in relay node 0").ConfigureAwait(false);
        return memory;
    }

    private static TargetUsage? Usage(string process, ProcessUsage? usage) => usage is null ? null : new TargetUsage
    {
        Process = process,
        CoresUsed = usage.Cores,
        CpuUsPerMessage = usage.CpuMicrosecondsPerMessage,
        ContextSwitchesPerMessage = usage.ContextSwitchesPerMessage,
    };

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
}
