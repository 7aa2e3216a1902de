using System.Diagnostics;
using System.Globalization;
using System.Net;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Os;
using Perf.Load.Processes;
using Perf.Load.Shards;
using Perf.Load.Targets;
using Perf.Load.Targets.Cluster;
using Perf.Results.Files;
using Perf.Results.Merging;
using Perf.Results.Model;

namespace Perf.Cli.Load;

/// <summary>
/// <c>perf load --generators K</c>: one run from K generator processes on this machine, which is
/// how it passes the per-process descriptor limit (each holds 1/K of the idle clients) and the
/// generator's own single scheduling thread. It starts the relay cluster (for
/// <c>--target relay-cluster</c>; an address is driven as given), then K
/// <c>perf load --shard I/K --start-at stdin</c> processes through the process layer, pinned
/// over <c>--generator-cpus</c>; once all have their connections open it gives them one start,
/// applies the cluster's faults from the measured window's opening, reads the relays' and NATS
/// nodes' CPU over that window, and merges the shards' results with <c>perf merge</c>'s code
/// (histograms added, counts summed), the cluster's own figures put in.
/// </summary>
internal static class GeneratorsJob
{
    // Time a shard may take to open its connections: a minute, and 10 ms per idle client on top.
    private static readonly TimeSpan ReadyBase = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ExitMargin = TimeSpan.FromMinutes(1);

    /// <summary>Runs the request's scenario from K shard processes and writes the merged run folder.</summary>
    /// <exception cref="LoadTargetException">A process did not start, a shard failed, or an option cannot be passed to the shards.</exception>
    public static async Task<GeneratorsOutcome> RunAsync(string targetName, LoadRequest request, string commandLine, EnvironmentInfo environment, string resultsParent, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var generators = request.Shards.Generators;
        var extras = request.Extras;
        if (extras.Network is not null || extras.HandshakeFlood is not null || extras.ReconnectStorm > 0 || extras.HeldMessages > 0 || request.Target.TargetProcess
            || request.Scenario.Behaviours != Perf.Load.Behaviours.ClientBehaviours.None)
        {
            throw new LoadTargetException("--generators passes the scenario, the relay mode and idle clients to its shards: not --network, --handshake-flood, --reconnect-storm, --held-messages, --churn, --slow-consumers, --vanishing or --target-process.");
        }

        var plan = request.Cluster?.Plan;
        var scenario = ClusterArguments.IsAnyCluster(targetName) ? ClusterLoadJob.WithClusterDrain(request.Scenario) : request.Scenario;
        await using var cluster = plan is null ? null : await ClusterLoadJob.StartAsync(plan, request.Target, generators, output, cancellationToken).ConfigureAwait(false);
        var address = cluster is null ? targetName : ClusterNodes.Of(cluster.Relays, plan!.Transport).Address;
        var baseline = cluster?.Relays.Processes.Sample();
        var idlePerShard = (extras.IdleConnections + generators - 1) / generators;
        await output.WriteLineAsync($"generators: starting {generators} shard processes of {address}{(extras.GeneratorCpus is { } cpus ? $" on CPUs {cpus}" : "")}, each with 1/{generators} of {scenario.Connections} connections, {scenario.RatePerSecond} msgs/s and {extras.IdleConnections} idle clients").ConfigureAwait(false);
        await using var shards = await ShardProcesses.StartAsync(
            generators,
            (shard, cpu) => PerfChildCommand.StartInfo().AddArguments(ShardArguments(request, address, cluster, shard, generators, cpu)),
            extras.GeneratorCpus,
            ReadyBase + (idlePerShard * TimeSpan.FromMilliseconds(10)),
            output,
            cancellationToken).ConfigureAwait(false);

        // Every shard is connected: the relays' memory and their own connection counts, then one start for all.
        TargetUsage? relayMemory = null;
        IReadOnlyList<long?>? perNode = null;
        if (cluster is not null)
        {
            await Task.Delay(IdleConnectionsSettle, cancellationToken).ConfigureAwait(false);
            var held = cluster.Relays.Processes.Sample();
            perNode = await ClusterLoadJob.ConnectionsPerNodeAsync(cluster, output, cancellationToken).ConfigureAwait(false);
            // The nodes count the run's own connections too (two per identity with sealed sender); the memory is spread over all of them.
            var connections = Sum(perNode);
            var runConnections = (long)scenario.Connections * (request.Target.Mode?.SealedSender == true ? 2 : 1);
            relayMemory = new TargetUsage
            {
                Process = $"perf relay x{plan!.RelayNodes}",
                CoresUsed = 0,
                IdleConnections = (int)Math.Clamp(connections - runConnections, 0, int.MaxValue),
                MemoryPerConnectionBytes = connections > 0 ? Math.Max(0, held.ResidentBytes - baseline!.Value.ResidentBytes) / (double)connections : null,
            };
        }

        var start = await shards.StartAsync().ConfigureAwait(false);
        var measureStart = start + scenario.Warmup;
        await output.WriteLineAsync($"generators: all {generators} shards ready; they start at {start:HH:mm:ss.fff} UTC, the measured window at {measureStart:HH:mm:ss.fff}").ConfigureAwait(false);
        using var stopFaults = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<(ProcessResourceSample? Start, TimeSpan Wait)>? measuring = cluster is null ? null : MeasureAsync(cluster, measureStart, stopFaults.Token);
        IReadOnlyList<string> paths;
        try
        {
            paths = await shards.WaitAsync(scenario.Warmup + scenario.Duration + scenario.DrainTimeout + ExitMargin, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopFaults.CancelAsync().ConfigureAwait(false);
        }

        (ProcessResourceSample? Start, TimeSpan Wait)? window = measuring is null ? null : await measuring.ConfigureAwait(false);
        var merged = ResultMerger.Merge(paths);
        var result = merged.Result with { Command = commandLine };
        if (cluster is not null)
        {
            result = await WithClusterAsync(result, cluster, window!.Value, relayMemory!, perNode, output).ConfigureAwait(false);
        }

        result = result with { Generator = WithMemory(result.Generator, merged.Result.Shards, extras.GeneratorCpus) };
        var folder = RunFolder.Create(resultsParent, $"load-{merged.Result.Scenario.Target}");
        var path = new MergedRun(result, merged.Histograms).Write(folder);
        var m = result.Metrics;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"merged {generators} shards: sent {m.Sent}, delivered {m.Delivered}, rejected {m.Rejected}, lost {m.Lost}{(m.EndToEndUs is { } e2e ? $"; end-to-end p50 {e2e.P50:F0} us, p99 {e2e.P99:F0} us" : "")}")).ConfigureAwait(false);
        return new GeneratorsOutcome(path, result, m.Lost > 0);
    }

    private static TimeSpan IdleConnectionsSettle => Perf.Load.Idle.IdleConnections.Settle;

    // The command line of shard I: the whole run's values, this shard's slice and CPU, a start from its input.
    private static List<string> ShardArguments(LoadRequest request, string address, RelayCluster? cluster, int shard, int count, CpuSet? cpu)
    {
        var s = request.Scenario;
        string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        var arguments = new List<string>
        {
            "load", "--target", address,
            "--connections", s.Connections.ToString(CultureInfo.InvariantCulture), "--rate", F(s.RatePerSecond), "--size", s.MessageSize.ToString(CultureInfo.InvariantCulture),
            "--duration", F(s.Duration.TotalSeconds) + "s", "--warmup", F(s.Warmup.TotalSeconds) + "s", "--arrival", s.Arrival == ArrivalProcess.Poisson ? "poisson" : "constant",
            "--cipher", request.Target.Cipher, "--backend", request.Target.Backend,
            "--shard", $"{shard}/{count}", "--start-at", ShardStart.FromInput,
        };
        if (request.Extras.IdleConnections > 0)
        {
            arguments.AddRange(["--idle-connections", request.Extras.IdleConnections.ToString(CultureInfo.InvariantCulture)]);
        }

        if (request.Target.Mode is { } mode)
        {
            if (mode.SealedSender)
            {
                arguments.Add("--sealed-sender");
            }

            arguments.AddRange(["--padding", mode.Padding.Name]);
        }

        if (cpu is not null)
        {
            arguments.AddRange(["--generator-cpus", cpu.ToString()]);
        }

        if (request.Cluster is { } clusterRequest && ClusterNodes.IsAddress(address))
        {
            arguments.AddRange(["--transport", clusterRequest.Transport == ClusterTransport.WebSocket ? "ws" : "tcp", "--nats-nodes", clusterRequest.NatsNodes.ToString(CultureInfo.InvariantCulture)]);
            if (clusterRequest.RelayNodes is { } relays)
            {
                arguments.AddRange(["--relay-nodes", relays.ToString(CultureInfo.InvariantCulture)]);
            }
        }

        // The key to pin and the token secret: the started cluster's, or as given for an address.
        var key = cluster is null ? request.Target.RelayKey : Convert.ToBase64String(cluster.Relays.RelayKey);
        var secret = cluster is null ? request.Target.WsSecret : System.Text.Encoding.UTF8.GetString(cluster.Relays.WebSocketSecret);
        if (key is not null)
        {
            arguments.AddRange(["--relay-key", key]);
        }

        if (secret is not null)
        {
            arguments.AddRange(["--ws-secret", secret]);
        }

        return arguments;
    }

    // From the measured window's opening: the cluster's faults, and its processes read at the opening and after the shards end.
    private static async Task<(ProcessResourceSample? Start, TimeSpan Wait)> MeasureAsync(RelayCluster cluster, DateTimeOffset measureStart, CancellationToken stop)
    {
        var wait = measureStart - DateTimeOffset.UtcNow;
        var ticks = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);
        try
        {
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            await cluster.InjectFaultsAsync(ticks, stop).ConfigureAwait(false);
            return (null, wait);
        }

        var first = cluster.Usage.Sample();
        await cluster.InjectFaultsAsync(ticks, stop).ConfigureAwait(false);
        return (first, wait);
    }

    private static async Task<PerfResult> WithClusterAsync(PerfResult result, RelayCluster cluster, (ProcessResourceSample? Start, TimeSpan Wait) window, TargetUsage relayMemory, IReadOnlyList<long?>? perNode, TextWriter output)
    {
        var plan = cluster.Plan;
        var delivered = result.Metrics.Delivered;
        var end = cluster.Usage.Sample();
        var relays = window.Start is { } start ? ClusterLoadJob.Usage(relayMemory.Process, plan.RelayCpus, ProcessUsage.Between(start, end, delivered)) : null;
        var nats = ClusterLoadJob.Usage($"nats-server x{plan.NatsNodes}", plan.NatsCpus, cluster.Usage.NatsBetweenFirstAndLast(delivered));
        var faults = await ClusterLoadJob.FaultRecordsAsync(cluster.Applied, output).ConfigureAwait(false);
        await ClusterLoadJob.WriteUsageAsync(relays, nats, result.Generator, output).ConfigureAwait(false);
        var merged = result.Cluster!;
        return result with
        {
            Target = relays is null ? null : relays with { IdleConnections = relayMemory.IdleConnections, MemoryPerConnectionBytes = relayMemory.MemoryPerConnectionBytes },
            Cluster = merged with
            {
                RelayNodes = plan.RelayNodes,
                NatsNodes = plan.NatsNodes,
                StoreReplicas = plan.StoreReplicas,
                FaultSchedule = plan.Schedule?.ToString(),
                FaultSeed = plan.Schedule?.Seed,
                Faults = faults,
                Nats = nats,
                ConnectionsPerNode = perNode,
            },
        };
    }

    // The generators' memory per idle client: each shard measured its own; the run's is their mean.
    private static GeneratorUsage? WithMemory(GeneratorUsage? merged, IReadOnlyList<MergedShard>? shards, CpuSet? cpus)
    {
        if (merged is null || shards is null)
        {
            return merged;
        }

        double sum = 0;
        var measured = 0;
        foreach (var shard in shards)
        {
            if (shard.Generator?.MemoryPerIdleConnectionBytes is { } bytes)
            {
                sum += bytes;
                measured++;
            }
        }

        return merged with { Cpus = cpus?.ToString(), MemoryPerIdleConnectionBytes = measured == 0 ? null : sum / measured };
    }

    private static long Sum(IReadOnlyList<long?> counts)
    {
        long sum = 0;
        foreach (var count in counts)
        {
            sum += count ?? 0;
        }

        return sum;
    }
}

/// <summary>What a <c>--generators</c> run wrote.</summary>
/// <param name="ResultPath">The merged result file.</param>
/// <param name="Result">The merged result.</param>
/// <param name="Failed">Something was lost.</param>
internal sealed record GeneratorsOutcome(string ResultPath, PerfResult Result, bool Failed);
