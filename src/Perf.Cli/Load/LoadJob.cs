using System.Net;
using Perf.Load;
using Perf.Load.Behaviours;
using Perf.Load.Engine;
using Perf.Load.Hostile;
using Perf.Load.Idle;
using Perf.Load.Impairment;
using Perf.Load.Os;
using Perf.Load.Processes;
using Perf.Load.Shards;
using Perf.Load.Output;
using Perf.Load.Probes;
using Perf.Load.Targets;
using Perf.Load.Targets.JetStream;
using Perf.Results;
using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Results.Soak;

namespace Perf.Cli.Load;

/// <summary>One target's part of a load command: open it, hold idle clients, run (or search), storm, write the result folder.</summary>
internal static class LoadJob
{
    /// <summary>Runs <paramref name="scenario"/> against <paramref name="targetName"/> and writes a run folder under <paramref name="resultsParent"/>.</summary>
    /// <remarks>
    /// Longer than most methods here on purpose: the target, the impairment proxy, the idle pool
    /// and the flood are <c>await using</c> locals whose lifetimes must span the run and the
    /// readings after it; each step beside them is a helper below.
    /// </remarks>
    /// <param name="targetName">A target as <c>--target</c> takes it.</param>
    /// <param name="scenario">The scenario.</param>
    /// <param name="options">Target options.</param>
    /// <param name="extras">A find-max search, idle clients, a reconnect storm, the generator's CPUs, a handshake flood, the soak rule.</param>
    /// <param name="commandLine">The redacted command line for the result file.</param>
    /// <param name="environment">The environment for the result file.</param>
    /// <param name="resultsParent">The folder that gets the run folder (<c>results/</c>, or a quick run's folder).</param>
    /// <param name="output">Where progress goes.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <exception cref="LoadTargetException">The target could not be started or reached, or the idle clients need a target process.</exception>
    public static async Task<(LoadRunResult Run, string ResultPath, PerfResult Result)> RunAsync(
        string targetName,
        LoadScenario scenario,
        LoadTargetOptions options,
        LoadJobExtras extras,
        string commandLine,
        EnvironmentInfo environment,
        string resultsParent,
        TextWriter output,
        CancellationToken cancellationToken)
    {
        await using var handle = await LoadTargetFactory.OpenAsync(targetName, options, cancellationToken).ConfigureAwait(false);
        if ((extras.IdleConnections > 0 || extras.ReconnectStorm > 0 || extras.HeldMessages > 0) && (handle.Process is null || handle.Idle is null))
        {
            throw new LoadTargetException("--idle-connections, --reconnect-storm and --held-messages measure the target's process: use a bare target name with --target-process.");
        }

        // The echo floor under the same flood is its floor: what the flood costs this machine's
        // kernel and CPUs whatever answers it, beside what it costs the relay.
        if (extras.HandshakeFlood is not null && (handle.Process is null || handle.Idle is null || handle.Name is not ("relay-tcp" or "echo")))
        {
            throw new LoadTargetException("--handshake-flood floods a relay's Noise/TCP listener (or, for its floor, the echo target's port) apart from the generator's clients: use --target relay-tcp (or echo) --target-process.");
        }

        // A shard runs its slice of the whole scenario, from the common start.
        var whole = scenario;
        scenario = extras.Shard?.Plan.Slice(whole) ?? whole;
        await output.WriteLineAsync($"load {handle.Description}{(extras.Shard is { } shard ? $", shard {shard.Plan}" : "")}: {Header(scenario, extras.Search?.Steps)}").ConfigureAwait(false);

        // The run's own connections cross the impaired network; idle clients and the storm go straight to the target.
        await using var network = extras.Network is null ? null : ImpairmentProxy.Start(extras.Network, new IPEndPoint(IPAddress.Loopback, 0), handle.Traffic);
        var routed = network is null ? handle : handle with { Traffic = network.EndPoint };
        if (network is not null)
        {
            await output.WriteLineAsync($"network: {network.Profile} (impairment proxy {network.EndPoint} in front of {network.Upstream})").ConfigureAwait(false);
        }

        await using var idle = extras.IdleConnections > 0 ? new IdleConnectionPool(handle.Idle!.EndPoint, handle.Idle.Protocol(), Math.Max(extras.IdleConnections, extras.ReconnectStorm)) : null;
        var idleMemory = idle is null ? null : await HoldIdleAsync(idle, extras.IdleConnections, handle, output, cancellationToken).ConfigureAwait(false);
        var heldCost = extras.HeldMessages > 0 ? await HeldMessageRun.OnTargetAsync(handle, extras.HeldMessages, scenario.MessageSize, output, cancellationToken).ConfigureAwait(false) : null;

        LoadRunResult run;
        ResourcesBeside? withStore = null;
        FindMaxSearchResult? findMax = null;
        var pairs = extras.HandshakeFlood?.Pairs ?? 0;
        var runs = Math.Max(1, 2 * pairs);
        if (idle is not null && (scenario.Warmup + scenario.Duration) * runs <= KeepAlivesPausedUpTo)
        {
            // Keep-alives would be counted as the target's work per message. A longer run keeps
            // them, as phones do: the relay closes clients silent for five minutes.
            idle.KeepAlivePaused = true;
        }

        // The flood's comparison: the same run without it first, against the same relay process and
        // idle clients; with --handshake-flood-pairs K, K - 1 pairs before that, the flood first in
        // every other one, so that a drift of the machine falls on both sides of the median.
        var earlier = new List<FloodPair>();
        for (var i = 0; i < pairs - 1; i++)
        {
            var floodFirst = i % 2 == 0;
            var first = floodFirst
                ? await RunFloodedAsync(routed, handle, scenario, idle, extras, output, cancellationToken).ConfigureAwait(false)
                : await RunWithoutFloodAsync(routed, scenario, idle, extras.IdleConnections, output, cancellationToken).ConfigureAwait(false);
            var second = floodFirst
                ? await RunWithoutFloodAsync(routed, scenario, idle, extras.IdleConnections, output, cancellationToken).ConfigureAwait(false)
                : await RunFloodedAsync(routed, handle, scenario, idle, extras, output, cancellationToken).ConfigureAwait(false);
            var (without, with) = floodFirst ? (second, first) : (first, second);
            var pair = new FloodPair { FloodFirst = floodFirst, Baseline = Clients(without), Flooded = Clients(with) };
            earlier.Add(pair);
            await output.WriteLineAsync($"handshake flood pair {i + 1} of {pairs}{(floodFirst ? " (the flood first)" : "")}: end-to-end p99 {pair.Flooded.P99Us:F0} us with the flood, {pair.Baseline.P99Us:F0} us without (ratio {pair.P99Ratio:F2})").ConfigureAwait(false);
        }

        var baseline = pairs > 0 ? await RunWithoutFloodAsync(routed, scenario, idle, extras.IdleConnections, output, cancellationToken).ConfigureAwait(false) : null;

        // The attacker is another machine: its own process at the lowest priority, beside the generator unless placed.
        await using var flood = extras.HandshakeFlood is { } asked
            ? await HandshakeFloodProcess.StartAsync(PerfChildCommand.StartInfo(), new HandshakeFloodOptions { Target = handle.Idle!.EndPoint, RatePerSecond = asked.Rate, Kinds = asked.Kinds }, asked.Cpus ?? extras.GeneratorCpus, cancellationToken).ConfigureAwait(false)
            : null;
        if (extras.HandshakeFlood is { } f)
        {
            await output.WriteLineAsync($"handshake flood: {f.Rate:0.#} connections/s of {f.Kinds.ToString().ToLowerInvariant()} from {HandshakeFloodOptions.DefaultSource} in {flood!.Description} while the run goes").ConfigureAwait(false);
        }

        var probe = Probe(handle, extras.SoakInducesCollections);
        var companions = Companions(scenario, idle, extras.IdleConnections);
        if (extras.Search is { } s)
        {
            findMax = await FindMaxAsync(routed.NewTarget, scenario, s.Slo, s.Steps, handle.Process, output, cancellationToken).ConfigureAwait(false);
            run = BestStep(findMax).Run;
        }
        else
        {
            var view = new LoadProgressView(output, LoadProgressView.CanRunLive(output));
            await using var target = routed.NewTarget();

            // The relay's store (its nats-server) is read at the same moments as the relay.
            withStore = handle.Process is not null && handle.Store?.Resources is { } store ? new ResourcesBeside(handle.Process, store) : null;
            var hooks = new LoadRunHooks { Probe = probe, Companions = companions.All };
            run = await view.RunAsync(handle.Description, p => new OpenLoopRunner(scenario, (IProcessResources?)withStore ?? handle.Process, hooks) { StartGate = extras.Shard is null ? null : extras.Shard.StartGateAsync }.RunAsync(target, p, cancellationToken)).ConfigureAwait(false);
        }

        var floodResult = flood is null ? null : await flood.StopAsync().ConfigureAwait(false);
        if (floodResult is not null)
        {
            await output.WriteLineAsync(floodResult.Summary()).ConfigureAwait(false);
        }

        if (run.RecipientClasses is { } classes)
        {
            var slow = classes.Slow;
            await output.WriteLineAsync($"slow consumers: their senders' outboxes sent {slow.Resent} refused envelopes again; {slow.HeldBySender} measured messages were still in them when the window closed (counted rejected)").ConfigureAwait(false);
        }

        if (run.SlowConsumerCatchUp is { } catchUp)
        {
            await output.WriteLineAsync(catchUp.Completed
                ? $"slow consumers: caught up in {catchUp.Seconds:F1} s at full speed: {catchUp.Delivered} messages the relay held were delivered"
                : $"slow consumers: not caught up within {scenario.Behaviours.SlowConsumerDrain.TotalSeconds:0} s (--slow-consumer-drain): {catchUp.Delivered} delivered meanwhile, the rest count as lost").ConfigureAwait(false);
        }

        var afterRun = await AfterRunAsync(idle, extras, handle, output, cancellationToken).ConfigureAwait(false);
        var (targetUsage, generatorUsage) = Usage(handle.Process, run, extras.GeneratorCpus, afterRun, idleMemory, heldCost);
        if (targetUsage is not null)
        {
            await output.WriteLineAsync($"target {targetUsage.Process}: {targetUsage.CoresUsed:F2} cores, {targetUsage.CpuUsPerMessage:F1} µs CPU and {targetUsage.ContextSwitchesPerMessage:F2} context switches per message; generator {generatorUsage!.CoresUsed:F2} cores, {generatorUsage.CpuUsPerMessage:F1} µs per message").ConfigureAwait(false);
        }

        var storeUsage = StoreUsage(handle.Store, withStore?.BesideBetweenFirstAndLast(run.Recorders.Delivered), afterRun, idleMemory, heldCost);
        if (storeUsage is not null)
        {
            await output.WriteLineAsync($"store {storeUsage.Process}: {storeUsage.CoresUsed:F2} cores, {storeUsage.CpuUsPerMessage:F1} µs CPU and {storeUsage.ContextSwitchesPerMessage:F2} context switches per message").ConfigureAwait(false);
        }

        var result = LoadResultFiles.ToResult(run, commandLine, options.Cipher, options.Backend, environment, findMax, targetUsage, generatorUsage) with { Store = storeUsage };
        if (network is not null)
        {
            // CPU per message over the whole run only for a single run (with its baseline, when one ran): a search's steps share one proxy.
            var messages = findMax is null ? (long)(scenario.RatePerSecond * (scenario.Warmup + scenario.Duration).TotalSeconds) * runs : 0;
            var counters = network.Counters;
            await output.WriteLineAsync($"network: {counters}").ConfigureAwait(false);
            result = result with { Scenario = result.Scenario with { Network = network.Profile.ToResult(counters.ToUsage(messages)) } };
        }

        result = await WithSeriesAndBehavioursAsync(result, run, probe, companions, floodResult is null ? null : (floodResult, flood!.Description), extras.Soak, cancellationToken).ConfigureAwait(false);
        if (baseline is not null && result.HandshakeFlood is { } flooded)
        {
            result = result with
            {
                HandshakeFlood = flooded.WithBaseline(Clients(baseline), FloodClients.Of(result.Metrics, result.Target?.CoresUsed, result.Generator?.CoresUsed)),
            };
            if (earlier.Count > 0)
            {
                result = result with { HandshakeFlood = result.HandshakeFlood.WithEarlierPairs(earlier) };
            }

            await output.WriteLineAsync(FloodComparisonLine(result.HandshakeFlood)).ConfigureAwait(false);
        }

        if (extras.Shard is { } slice)
        {
            result = slice.Decorate(result, run, whole);
        }

        // A run of the flood's comparison in the result's terms, with its processes' cores.
        FloodClients Clients(LoadRunResult run) =>
            FloodClients.Of(LoadResultFiles.ToResult(run, commandLine, options.Cipher, options.Backend, environment).Metrics, run.TargetUsage?.Cores, run.GeneratorUsage?.Cores);

        var folder = RunFolder.Create(resultsParent, $"load-{handle.Name}{extras.Shard?.FolderSuffix}");
        return (run, LoadResultFiles.Write(folder, result, run), result);
    }

    // One earlier pair's flooded run: a flood process of its own for the run's length, then stopped.
    private static async Task<LoadRunResult> RunFloodedAsync(TargetHandle routed, TargetHandle handle, LoadScenario scenario, IdleConnectionPool? idle, LoadJobExtras extras, TextWriter output, CancellationToken cancellationToken)
    {
        var asked = extras.HandshakeFlood!.Value;
        await using var flood = await HandshakeFloodProcess.StartAsync(PerfChildCommand.StartInfo(), new HandshakeFloodOptions { Target = handle.Idle!.EndPoint, RatePerSecond = asked.Rate, Kinds = asked.Kinds }, asked.Cpus ?? extras.GeneratorCpus, cancellationToken).ConfigureAwait(false);
        var run = await RunLegitimateAsync(routed, scenario, idle, extras.IdleConnections, "with the flood", output, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync((await flood.StopAsync().ConfigureAwait(false)).Summary()).ConfigureAwait(false);
        return run;
    }

    // The legitimate clients' run without the flood, with the same behaviours (fresh drivers over the same idle clients).
    private static async Task<LoadRunResult> RunWithoutFloodAsync(TargetHandle routed, LoadScenario scenario, IdleConnectionPool? idle, int idleClients, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync("handshake flood baseline: the same run without the flood").ConfigureAwait(false);
        var run = await RunLegitimateAsync(routed, scenario, idle, idleClients, "without the flood", output, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"handshake flood baseline: sent {run.Recorders.Sent}, delivered {run.Recorders.Delivered}, lost {run.Lost}").ConfigureAwait(false);
        return run;
    }

    // The legitimate clients alone (no probe, no series): a run of a flood's comparison.
    private static async Task<LoadRunResult> RunLegitimateAsync(TargetHandle routed, LoadScenario scenario, IdleConnectionPool? idle, int idleClients, string label, TextWriter output, CancellationToken cancellationToken)
    {
        var view = new LoadProgressView(output, LoadProgressView.CanRunLive(output));
        await using var target = routed.NewTarget();
        var hooks = new LoadRunHooks { Companions = Companions(scenario, idle, idleClients).All };
        return await view.RunAsync($"{routed.Description} {label}", p => new OpenLoopRunner(scenario, routed.Process, hooks).RunAsync(target, p, cancellationToken)).ConfigureAwait(false);
    }

    // The comparison, and beside it what tells the relay's slowdown from the generator's: the
    // generator's lag and cores in both runs, the flood's own cores, the relay's CPU per flood connection.
    private static string FloodComparisonLine(HandshakeFloodRun flood)
    {
        var (without, with) = (flood.Baseline!, flood.Flooded!);
        return $"handshake flood vs without: delivered {with.DeliveredPercent:F3} % (without {without.DeliveredPercent:F3} %), end-to-end p99 {with.P99Us:F0} us (without {without.P99Us:F0} us, ratio {flood.P99Ratio:F2}{(flood.Pairs is { Count: > 1 } pairs ? $", the median of {pairs.Count} pairs' ratios" : "")}); "
            + $"generator lag p99 {with.GeneratorLagP99Us:F0} us (without {without.GeneratorLagP99Us:F0} us), generator {with.GeneratorCores:F2} cores (without {without.GeneratorCores:F2}), "
            + $"relay {with.TargetCores:F2} cores (without {without.TargetCores:F2}), {flood.RelayCpuUsPerConnection:F1} us relay CPU per flood connection; flood {flood.Cores:F2} cores"
            + (flood.ReachedRate == false ? $", reached only {flood.AchievedPerSecond:F0}/s of the {flood.RatePerSecond:0.#}/s asked" : "");
    }

    /// <summary>Runs at most this long (warm-up and measured window) pause the idle clients' keep-alives.</summary>
    internal static readonly TimeSpan KeepAlivesPausedUpTo = TimeSpan.FromMinutes(2);

    // The target's memory, descriptors and collector for the series: a process of its own from
    // /proc (and a relay's /metrics; after a full collection induced in it, when asked), an
    // embedded target from this process's runtime (never collected: that would stop the generator).
    private static ITargetProbe Probe(TargetHandle handle, bool induceCollections) =>
        handle.Process is { } process
            ? new ProcessProbe(process.ProcessId, handle.Metrics, induceCollections)
            : ThisProcessProbe.Instance;

    // The idle clients' churn and vanishing, driven beside the run.
    private static IdleCompanions Companions(LoadScenario scenario, IdleConnectionPool? idle, int idleClients)
    {
        var behaviours = scenario.Behaviours;
        if (idle is null)
        {
            return new IdleCompanions(null, null);
        }

        var churn = behaviours.ChurnPercentPerMinute > 0
            ? new ChurnDriver(new IdlePopulation(idle, idleClients), new ChurnSchedule(idleClients, behaviours.ChurnPercentPerMinute, behaviours.Minute, behaviours.Seed + 1), behaviours.ChurnAway)
            : null;
        var vanishing = behaviours.VanishingPercentPerMinute > 0
            ? new VanishingDriver(idle, new ChurnSchedule(idleClients, behaviours.VanishingPercentPerMinute, behaviours.Minute, behaviours.Seed + 2))
            : null;
        return new IdleCompanions(churn, vanishing);
    }

    // The series, its slopes and the soak verdict; the behaviours' counts; the flood's.
    private static async Task<PerfResult> WithSeriesAndBehavioursAsync(PerfResult result, LoadRunResult run, ITargetProbe probe, IdleCompanions companions, (HandshakeFloodResult Counts, string RanIn)? flood, SoakRuleOptions? soak, CancellationToken cancellationToken)
    {
        var series = SeriesResults.Entries(run);
        var slopeWarmup = (soak ?? new SoakRuleOptions()).WarmupFor(run.Scenario.Duration);
        long? held = null;
        if (run.RecipientClasses is not null)
        {
            // What the relay still holds for the slow consumers, read after the drain.
            held = (await probe.ReadAsync(cancellationToken).ConfigureAwait(false)).MailboxDepth;
        }

        result = result with
        {
            Series = series,
            SeriesSlopes = series is null ? null : SeriesSlopeFit.Fit(series, slopeWarmup.TotalSeconds, probe is ProcessProbe { CollectsFirst: true, CollectionsMissed: 0 }),
            Behaviours = BehaviourResults.ToResult(run, companions.Churn?.Counters, companions.Vanishing?.Counters, held),
            HandshakeFlood = flood is { } f ? BehaviourResults.ToResult(f.Counts, f.RanIn) : null,
        };
        return soak is null ? result : result with { Soak = SeriesResults.Evaluate(run, result, soak) };
    }

    private static async Task<IdleMemory> HoldIdleAsync(IdleConnectionPool pool, int count, TargetHandle handle, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"idle: opening {count} idle authenticated connections to {handle.Process!.Name} ({pool.InFlight} at a time, in two halves, memory read after each)").ConfigureAwait(false);
        var progress = new Progress<int>(opened =>
        {
            if (opened % 10_000 == 0)
            {
                output.WriteLine($"idle: {opened} opened");
            }
        });
        var memory = await IdleConnections.OpenAsync(pool, count, handle.Process, progress, cancellationToken, handle.Store?.Resources).ConfigureAwait(false);
        await output.WriteLineAsync($"idle: {memory.Held} held, {memory.Failed} failed{(pool.FirstError is { } why ? $" (first: {why})" : "")}; {memory.TargetBytesPerConnection / 1024:F2} KiB per connection in the target, {memory.GeneratorBytesPerConnection / 1024:F2} KiB in the generator"
            + (memory.KernelBytesPerConnection is { } kernel ? $", {kernel / 1024:F2} KiB per socket in the kernel ({memory.KernelSource})"
                : OperatingSystem.IsLinux() ? ", the kernel's socket memory not measured (the machine's TCP sockets or their memory fell meanwhile: other processes closed theirs)" : "")
            + (memory.BesideBytesPerConnection is { } store ? $", {store / 1024:F2} KiB in the store's {handle.Store!.Name}" : "")).ConfigureAwait(false);
        return memory;
    }

    // After the run: which idle clients are still held and the target's memory with them, one
    // keep-alive from each (the target's CPU per keep-alive), then the reconnect storm.
    private static async Task<AfterRun> AfterRunAsync(IdleConnectionPool? idle, LoadJobExtras extras, TargetHandle handle, TextWriter output, CancellationToken cancellationToken)
    {
        var held = idle?.CountOpen();
        var resident = handle.Process?.Sample().ResidentBytes;
        var storeResident = handle.Store?.Resources?.Sample().ResidentBytes;
        double? keepAlive = null;
        if (idle is not null)
        {
            if (held < extras.IdleConnections)
            {
                await output.WriteLineAsync($"idle: only {held} of {extras.IdleConnections} idle connections were still open after the run ({idle.FirstError ?? "the target closed the others"})").ConfigureAwait(false);
            }

            keepAlive = await IdleConnections.KeepAliveCostAsync(idle, handle.Process!, cancellationToken).ConfigureAwait(false);
            idle.KeepAlivePaused = false;
            if (keepAlive is { } cost)
            {
                await output.WriteLineAsync($"keep-alive: every held client PINGed once: {cost:F1} µs of target CPU per PING").ConfigureAwait(false);
            }
        }

        var storm = extras.ReconnectStorm > 0 ? await StormAsync(idle, extras.ReconnectStorm, handle, output, cancellationToken).ConfigureAwait(false) : null;
        return new AfterRun(held, resident, storeResident, keepAlive, storm);
    }

    // "10 connections, 1000 msgs/s, 256 B, 30s after 5s warm-up"; a search says its steps' rate and times instead.
    private static string Header(LoadScenario scenario, FindMaxOptions? steps) => steps is null
        ? $"{scenario.Connections} connections, {scenario.RatePerSecond} msgs/s, {scenario.MessageSize} B, {scenario.Duration.TotalSeconds}s after {scenario.Warmup.TotalSeconds}s warm-up"
        : $"{scenario.Connections} connections, {scenario.MessageSize} B, find-max from {scenario.RatePerSecond} msgs/s in steps of {steps.StepDuration.TotalSeconds}s after {steps.StepWarmup.TotalSeconds}s warm-up each";

    private static async Task<ReconnectStorm> StormAsync(IdleConnectionPool? idle, int clients, TargetHandle handle, TextWriter output, CancellationToken cancellationToken)
    {
        // The storm uses the held idle clients when there are enough; otherwise its own, connected first.
        IdleConnectionPool? own = null;
        var pool = idle;
        if (pool is null || pool.Opened < clients)
        {
            own = new IdleConnectionPool(handle.Idle!.EndPoint, handle.Idle.Protocol(), clients);
            await output.WriteLineAsync($"storm: connecting {clients} clients first").ConfigureAwait(false);
            await own.OpenAsync(clients, null, cancellationToken).ConfigureAwait(false);
            pool = own;
        }

        try
        {
            await output.WriteLineAsync($"storm: {clients} clients drop their connections at once and reconnect ({pool.InFlight} handshakes in flight at most)").ConfigureAwait(false);
            var storm = await IdleConnections.StormAsync(pool, clients, handle.Process!, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"storm: all {storm.Clients - storm.Failed} authenticated again after {storm.Seconds:F2} s: {storm.HandshakesPerS:F0} handshakes/s, {storm.CpuUsPerHandshake:F0} µs target CPU per handshake, {storm.Failed} failed{(storm.Failed > 0 ? $" ({pool.FirstError})" : "")}").ConfigureAwait(false);
            return storm;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static (TargetUsage? Target, GeneratorUsage? Generator) Usage(ChildProcess? process, LoadRunResult run, CpuSet? generatorCpus, AfterRun after, IdleMemory? memory, HeldMessageMeasurement? held)
    {
        if (process is null || run.TargetUsage is not { } target)
        {
            return (null, null);
        }

        var generator = run.GeneratorUsage!;
        return (new TargetUsage
        {
            Process = process.Name,
            Cpus = process.Cpus?.ToString(),
            CoresUsed = target.Cores,
            CpuUsPerMessage = target.CpuMicrosecondsPerMessage,
            ContextSwitchesPerMessage = target.ContextSwitchesPerMessage,
            IdleConnections = after.Held,
            MemoryPerConnectionBytes = memory?.TargetBytesPerConnection,
            KernelMemoryPerConnectionBytes = memory?.KernelBytesPerConnection,
            KernelMemorySource = memory?.KernelBytesPerConnection is null ? null : memory.KernelSource,
            ResidentBytes = after.ResidentBytes,
            CpuUsPerKeepAlive = after.CpuUsPerKeepAlive,
            RuntimeSettings = process.RuntimeSettings.Count == 0 ? null : process.RuntimeSettings,
            ReconnectStorm = after.Storm,
            HeldMessages = held is null ? null : new HeldMessages { Messages = held.Accepted, MemoryPerMessageBytes = held.TargetBytesPerMessage },
        }, new GeneratorUsage
        {
            Cpus = generatorCpus?.ToString(),
            CoresUsed = generator.Cores,
            CpuUsPerMessage = generator.CpuMicrosecondsPerMessage,
            ContextSwitchesPerMessage = generator.ContextSwitchesPerMessage,
            MemoryPerIdleConnectionBytes = memory?.GeneratorBytesPerConnection,
        });
    }

    private static TargetUsage? StoreUsage(StoreBeside? store, ProcessUsage? usage, AfterRun after, IdleMemory? memory, HeldMessageMeasurement? held) => store is null || usage is null ? null : new TargetUsage
    {
        Process = store.Name,
        Cpus = store.Cpus?.ToString(),
        CoresUsed = usage.Cores,
        CpuUsPerMessage = usage.CpuMicrosecondsPerMessage,
        ContextSwitchesPerMessage = usage.ContextSwitchesPerMessage,
        IdleConnections = memory?.BesideBytesPerConnection is null ? null : after.Held,
        MemoryPerConnectionBytes = memory?.BesideBytesPerConnection,
        ResidentBytes = after.StoreResidentBytes,
        HeldMessages = held?.BesideBytesPerMessage is { } perMessage ? new HeldMessages { Messages = held.Accepted, MemoryPerMessageBytes = perMessage, DiskPerMessageBytes = held.DiskBytesPerMessage } : null,
    };

    /// <summary>Runs a find-max search, a fresh target from <paramref name="newTarget"/> for each step, printing each step.</summary>
    internal static async Task<FindMaxSearchResult> FindMaxAsync(Func<ILoadTarget> newTarget, LoadScenario scenario, Slo objective, FindMaxOptions steps, IProcessResources? resources, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"find-max: SLO {objective.Percentile} ≤ {Units.Micros(objective.ThresholdUs)}, steps of {steps.StepDuration.TotalSeconds}s from {scenario.RatePerSecond} msgs/s x{steps.GrowthFactor}").ConfigureAwait(false);
        var progress = new Progress<FindMaxSearchStep>(step => output.WriteLine(
            $"  step {step.OfferedRate:F0} msgs/s: delivered {step.DeliveredRate:F0}/s p50={step.P50} µs p99={step.P99} µs p99.9={step.P999} µs{(step.TargetCores is { } cores ? $" target {cores:F2} cores {step.TargetCpuMicrosecondsPerMessage:F1} µs/msg" : "")} {(step.Passed ? "ok" : "FAIL: " + step.Reason)}"));
        var result = await new FindMaxSearch(scenario, objective, steps).RunAsync(_ => Task.FromResult(newTarget()), progress, cancellationToken, resources).ConfigureAwait(false);
        await output.WriteLineAsync($"find-max: highest sustainable rate {result.MaxSustainableRate:F0} msgs/s ({result.StopReason})").ConfigureAwait(false);
        return result;
    }

    /// <summary>The step the result file describes: the best passing step, or the first step when none passed.</summary>
    internal static FindMaxSearchStep BestStep(FindMaxSearchResult search)
    {
        FindMaxSearchStep? best = null;
        foreach (var step in search.Steps)
        {
            if (step.Passed && (best is null || step.OfferedRate > best.OfferedRate))
            {
                best = step;
            }
        }

        return best ?? search.Steps[0];
    }
}

/// <summary>What was read after the run: idle clients still held, the target's (and its store's) resident memory, a keep-alive's CPU, the storm.</summary>
internal sealed record AfterRun(int? Held, long? ResidentBytes, long? StoreResidentBytes, double? CpuUsPerKeepAlive, ReconnectStorm? Storm);

/// <summary>What a load job does besides one run.</summary>
/// <param name="Search">The SLO and steps of a find-max search, or <c>null</c> for one run.</param>
/// <param name="IdleConnections">Idle authenticated clients held to the target process during the run (0: none).</param>
/// <param name="ReconnectStorm">Clients that drop and reconnect at once after the run (0: none).</param>
/// <param name="GeneratorCpus">The CPUs this process was pinned to, to record.</param>
/// <param name="HandshakeFlood">A hostile client's connections a second of each kind, which kinds, during the run (<c>null</c>: none), how many pairs of runs without and with it (0: the flooded run alone; 1: the run without it first), and its process's CPUs (<c>null</c>: the generator's).</param>
/// <param name="Network">The impaired network between the run's connections and the target (<c>--network</c>), or <c>null</c>.</param>
/// <param name="HeldMessages">Messages left for recipients that never connect before the run, to measure what holding one costs (0: none).</param>
/// <param name="Soak">The soak rule's bounds, when the run is judged by it (<c>null</c>: not judged).</param>
/// <param name="Shard">This process's slice of a sharded run (<c>--shard</c>) and its start, or <c>null</c>.</param>
/// <param name="SoakInducesCollections">A judged run reads a target process's memory right after a full collection induced in it (<c>--soak-gc induced</c>).</param>
internal sealed record LoadJobExtras((Slo Slo, FindMaxOptions Steps)? Search = null, int IdleConnections = 0, int ReconnectStorm = 0, CpuSet? GeneratorCpus = null, (double Rate, HandshakeFloodKinds Kinds, int Pairs, CpuSet? Cpus)? HandshakeFlood = null, NetworkProfile? Network = null, int HeldMessages = 0, SoakRuleOptions? Soak = null, ShardRun? Shard = null, bool SoakInducesCollections = false);

/// <summary>The companions that act on the idle clients during the run, when asked for.</summary>
/// <param name="Churn">Their churn (<c>--churn</c> with <c>--idle-connections</c>).</param>
/// <param name="Vanishing">Their vanishing (<c>--vanishing</c>).</param>
internal sealed record IdleCompanions(ChurnDriver? Churn, VanishingDriver? Vanishing)
{
    /// <summary>Those that run.</summary>
    public IReadOnlyList<ILoadRunCompanion> All
    {
        get
        {
            var all = new List<ILoadRunCompanion>(2);
            if (Churn is not null)
            {
                all.Add(Churn);
            }

            if (Vanishing is not null)
            {
                all.Add(Vanishing);
            }

            return all;
        }
    }
}
