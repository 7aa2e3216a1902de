using System.Globalization;
using Perf.Results.Model;

namespace Perf.Results.Capacity;

/// <summary>
/// Turns a load result whose target ran in its own process into a relay fleet size. CPU is
/// planned from the target's CPU time per message measured below saturation (a core delivers
/// 10^6 / µs-per-message messages per second); when a saturation search reached the target's own
/// limit on known cores, that rate per core is the cross-check, and the lower of the two is used.
/// Memory is planned from the resident memory per idle connection. The model is linear; each
/// resource is planned to run at most (1 − headroom) full.
/// </summary>
public static class CapacityPlanner
{
    private const double SecondsPerDay = 86_400;

    /// <summary>Plans capacity for <paramref name="inputs"/> from <paramref name="result"/>.</summary>
    /// <exception cref="BadInputException">When an input is out of range, or the result cannot support the plan.</exception>
    public static CapacityPlan Plan(PerfResult result, CapacityInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(inputs);
        inputs.Validate();
        var target = result.TargetOrRelay() ?? throw new BadInputException("the result has no target section (cores, CPU per message, memory per connection): run perf load with --target-process --idle-connections N");
        var bestCpuPerMessage = target.CpuUsPerMessage is > 0 and var cpu ? cpu : throw new BadInputException("the result's target section has no cpu_us_per_message (nothing was delivered)");
        var memoryPerConnection = target.MemoryPerConnectionBytes ?? throw new BadInputException("the result's target section has no memory_per_connection_bytes: run perf load with --idle-connections N");
        var findMax = result.FindMax;
        var measuredSlo = CheckSlo(result, inputs.Slo);
        if (inputs.SizeBytes > result.Scenario.Size)
        {
            throw new BadInputException($"the result measured {result.Scenario.Size}-byte messages; it cannot vouch for {inputs.SizeBytes}-byte ones");
        }

        double coresPerNode = inputs.CoresPerNode ?? result.Environment.Cores
            ?? throw new BadInputException("the result does not record cores (a k6 run); pass --cores-per-node");
        long memoryPerNode = inputs.MemoryPerNodeBytes ?? result.Environment.MemoryBytes
            ?? throw new BadInputException("the result does not record memory; pass --memory-per-node");

        string F(double v) => v.ToString("#,0.###", CultureInfo.InvariantCulture);
        double usable = 1 - inputs.Headroom;
        var bestRate = findMax?.MaxSustainableRate ?? result.Metrics.ThroughputMsgsPerS;
        var (cpuPerMessage, rate, measuredCores, cpuNote) = CpuFigure(findMax, target, bestCpuPerMessage, bestRate, AvailableCores(target, result.Environment.Cores), usable, F);
        double connections = inputs.Users * inputs.ConcurrentFraction;
        double peak = inputs.Users * inputs.MessagesPerUserPerDay / SecondsPerDay * inputs.PeakFactor;
        double perCoreFromCpu = 1_000_000 / cpuPerMessage;
        var (perCoreAtSaturation, saturationNote) = SaturationPerCore(findMax, target, perCoreFromCpu, F);
        var fromSaturation = perCoreAtSaturation is { } saturated && saturated < perCoreFromCpu;
        double perCore = fromSaturation ? perCoreAtSaturation!.Value : perCoreFromCpu;
        string perCoreSource = fromSaturation ? "saturation" : "cpu_us_per_message";
        double coresNeeded = peak / (perCore * usable);
        double memoryNeeded = connections * memoryPerConnection / usable;
        double cpuNodes = coresNeeded / coresPerNode;
        double memoryNodes = memoryNeeded / memoryPerNode;
        long nodesForCpu = (long)Math.Ceiling(cpuNodes);
        long nodesForMemory = (long)Math.Ceiling(memoryNodes);
        long nodes = Math.Max(1, Math.Max(nodesForCpu, nodesForMemory));
        string binding = cpuNodes >= memoryNodes ? "cpu" : "memory";

        var assumptions = new List<string>
        {
            $"users = {F(inputs.Users)}, concurrent fraction = {F(inputs.ConcurrentFraction)}, messages per user per day = {F(inputs.MessagesPerUserPerDay)}, peak factor = {F(inputs.PeakFactor)}",
            $"message size = {inputs.SizeBytes} B (measured at {result.Scenario.Size} B), SLO asked {inputs.Slo}, measured {measuredSlo}",
            $"headroom = {Percent.Format(inputs.Headroom)}: each resource planned at most {Percent.Format(usable)} full",
            $"measured: {target.Process} used {F(cpuPerMessage)} µs of CPU per message ({F(measuredCores)} cores at {F(rate)} msg/s{(target.Cpus is { } pinned ? $", pinned to CPUs {pinned}" : "")}), {F(memoryPerConnection)} B per idle connection{(target.IdleConnections is { } held ? $" (over {F(held)} held)" : "")}",
            $"measured on: {result.Environment.CpuModel ?? "unknown CPU"}, {result.Environment.Cores?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} cores, {result.Environment.Backend}/{result.Environment.Cipher}, target {result.Scenario.Target}",
            $"per node: {F(coresPerNode)} cores{(inputs.CoresPerNode is null ? " (the measured machine's)" : "")}, {F(memoryPerNode)} B memory{(inputs.MemoryPerNodeBytes is null ? " (the measured machine's)" : "")}",
            $"CPU per message as measured at {F(rate)} msg/s: it falls as the load rises (wake-ups and system calls are shared by more messages), so a plan for a higher load per core is conservative and one for a lower load optimistic; throughput scales linearly with cores and memory with connections (the relay's idle memory is not counted); load is spread evenly over nodes",
            cpuNote,
            $"msg/s per core taken from {(fromSaturation ? "the saturation search: the target's SLO-bound rate per core was below what its CPU per message allows" : "CPU per message")}; {saturationNote}",
        };
        if (target.Process == "perf relay" && result.Target is null)
        {
            assumptions.Add("an older result (relay section): CPU per message is its cores at the reported rate over that rate");
        }

        if (findMax?.GeneratorBound == true)
        {
            assumptions.Add("the search stopped at the load generator's limit, not the relay's: the maximum rate is a lower bound and the relay's own saturation was not reached");
        }

        var formulas = new List<string>
        {
            $"connections = users × fraction = {F(inputs.Users)} × {F(inputs.ConcurrentFraction)} = {F(connections)}",
            $"peak msg/s = users × msgs/user/day / 86400 × peak factor = {F(inputs.Users)} × {F(inputs.MessagesPerUserPerDay)} / 86400 × {F(inputs.PeakFactor)} = {F(peak)}",
            $"msg/s per core (CPU) = 1,000,000 / CPU µs per message = 1,000,000 / {F(cpuPerMessage)} = {F(perCoreFromCpu)}",
            perCoreAtSaturation is { } atSaturation
                ? $"msg/s per core (saturation) = max sustainable rate / target cores = {F(findMax!.MaxSustainableRate)} / {F(findMax.MaxSustainableRate / atSaturation)} = {F(atSaturation)}"
                : "msg/s per core (saturation) = not measured",
            $"msg/s per core = {(perCoreAtSaturation is null ? "the CPU figure" : "the lower of the two")} = {F(perCore)}",
            $"cores needed = peak / (msg/s per core × (1 − headroom)) = {F(peak)} / ({F(perCore)} × {F(usable)}) = {F(coresNeeded)}",
            $"nodes for cpu = ceil(cores needed / cores per node) = ceil({F(coresNeeded)} / {F(coresPerNode)}) = {nodesForCpu}",
            $"memory needed = connections × bytes per connection / (1 − headroom) = {F(connections)} × {F(memoryPerConnection)} / {F(usable)} = {F(memoryNeeded)} B",
            $"nodes for memory = ceil(memory needed / memory per node) = ceil({F(memoryNeeded)} / {F(memoryPerNode)}) = {nodesForMemory}",
            $"nodes = max(1, nodes for cpu, nodes for memory) = {nodes}; binding resource: {binding}",
        };

        var (natsCpu, natsCores, natsNodes) = PlanNats(result.Cluster, peak, usable, coresPerNode, F, assumptions, formulas);
        return new CapacityPlan
        {
            NatsCpuUsPerMessage = natsCpu,
            NatsCoresNeeded = natsCores,
            NatsNodes = natsNodes,
            Connections = connections,
            PeakMsgsPerS = peak,
            CpuUsPerMessage = cpuPerMessage,
            MsgsPerSPerCore = perCore,
            MsgsPerSPerCoreSource = perCoreSource,
            SaturationMsgsPerSPerCore = perCoreAtSaturation,
            CoresNeeded = coresNeeded,
            MemoryNeededBytes = memoryNeeded,
            CoresPerNode = coresPerNode,
            MemoryPerNodeBytes = memoryPerNode,
            NodesForCpu = nodesForCpu,
            NodesForMemory = nodesForMemory,
            Nodes = nodes,
            Binding = binding,
            Assumptions = assumptions,
            Formulas = formulas,
        };
    }

    // A relay-cluster result also measured the NATS nodes' CPU per message (every JetStream replica's
    // work included): NATS nodes are planned from it on nodes of the relay's size, at least one per replica.
    private static (double? CpuUs, double? Cores, long? Nodes) PlanNats(ClusterRun? cluster, double peak, double usable, double coresPerNode, Func<double, string> f, List<string> assumptions, List<string> formulas)
    {
        if (cluster?.Nats is not { CpuUsPerMessage: > 0 and var cpu })
        {
            assumptions.Add("NATS nodes: not planned (no relay-cluster measurement of their CPU in this result; a memory-store relay needs none)");
            return (null, null, null);
        }

        var cores = peak * cpu / 1_000_000 / usable;
        var nodes = Math.Max(cluster.StoreReplicas, (long)Math.Ceiling(cores / coresPerNode));
        assumptions.Add($"measured: the {cluster.NatsNodes} NATS node(s) together used {f(cpu)} µs of CPU per message (JetStream, {cluster.StoreReplicas} replica(s): every replica's work is in it); NATS nodes have the relay nodes' cores, at least one per replica; their memory and disk are not planned");
        formulas.Add($"NATS cores needed = peak × NATS µs per message / 1,000,000 / (1 − headroom) = {f(peak)} × {f(cpu)} / 1,000,000 / {f(usable)} = {f(cores)}");
        formulas.Add($"NATS nodes = max(replicas, ceil(NATS cores needed / cores per node)) = max({cluster.StoreReplicas}, ceil({f(cores)} / {f(coresPerNode)})) = {nodes}");
        return (cpu, cores, nodes);
    }

    // A find-max result must have been judged at an SLO at least as strict as the one asked; a
    // single run must have met the asked SLO itself.
    private static string CheckSlo(PerfResult result, Slo asked)
    {
        if (result.FindMax is { } findMax)
        {
            if (findMax.MaxSustainableRate <= 0) throw new BadInputException("the result's max_sustainable_rate is 0: nothing passed the SLO");
            if (!findMax.Slo.IsAtLeastAsStrictAs(asked))
            {
                throw new BadInputException($"the result was measured at SLO {findMax.Slo}, weaker than the asked {asked}");
            }

            return $"at {findMax.Slo} (find-max)";
        }

        var endToEnd = result.Metrics.EndToEndUs ?? throw new BadInputException("the result has no end_to_end_us to check the SLO against");
        var observed = asked.Percentile switch
        {
            "p50" => endToEnd.P50,
            "p90" => endToEnd.P90,
            "p99" => endToEnd.P99,
            "p999" => endToEnd.P999,
            _ => endToEnd.P9999,
        };
        if (observed > asked.ThresholdUs)
        {
            throw new BadInputException($"the run's {asked.Percentile} was {observed.ToString(CultureInfo.InvariantCulture)} us, over the asked {asked}: it cannot vouch for that SLO");
        }

        return $"{asked.Percentile} = {observed.ToString(CultureInfo.InvariantCulture)} us in one run at {result.Metrics.ThroughputMsgsPerS.ToString("F0", CultureInfo.InvariantCulture)} msg/s";
    }

    // The CPU per message the plan applies. The target section holds the fastest passing step's,
    // measured wherever the search stopped, often on a full core, where longer batches make each
    // message cheaper than on a core run (1 − headroom) full as the plan runs it (relay-tcp pinned:
    // 17 µs at 56,953 msg/s on a full core, 38 at 16,875 on 0.64 of it). Then the fastest passing
    // step whose target was no fuller than the plan's cores gives the figure instead.
    private static (double CpuUs, double Rate, double Cores, string Note) CpuFigure(FindMax? findMax, TargetUsage target, double bestCpu, double bestRate, double? available, double usable, Func<double, string> f)
    {
        if (findMax is null || available is not > 0)
        {
            return (bestCpu, bestRate, target.CoresUsed, available is > 0 ? "CPU per message from the one measured rate" : "CPU per message from the fastest passing rate (the cores the target had are unknown, so how full they were is not checked)");
        }

        var cores = available.Value;
        if (target.CoresUsed / cores <= usable)
        {
            return (bestCpu, bestRate, target.CoresUsed, $"CPU per message from the fastest passing step, where the target's {f(cores)} core(s) were {Percent.Format(target.CoresUsed / cores)} full, no fuller than the plan runs them");
        }

        FindMaxStep? chosen = null;
        foreach (var step in findMax.Steps)
        {
            if (step is { Passed: true, TargetCpuUsPerMessage: > 0, Cores: { } used } && used / cores <= usable && (chosen is null || step.Rate > chosen.Rate))
            {
                chosen = step;
            }
        }

        if (chosen is null)
        {
            return (bestCpu, bestRate, target.CoresUsed, $"CPU per message from the fastest passing step, where the target's {f(cores)} core(s) were {Percent.Format(target.CoresUsed / cores)} full and no step ran them at most {Percent.Format(usable)} full: optimistic for a plan that runs cores no fuller than that");
        }

        return (chosen.TargetCpuUsPerMessage!.Value, chosen.Rate, chosen.Cores!.Value,
            $"CPU per message from the {f(chosen.Rate)} msg/s step, the fastest where the target's {f(cores)} core(s) were at most {Percent.Format(usable)} full ({Percent.Format(chosen.Cores.Value / cores)}), as the plan runs them; not from the fastest passing step ({f(bestRate)} msg/s, {Percent.Format(target.CoresUsed / cores)} full, {f(bestCpu)} µs), where a fuller core batched more and cost less per message");
    }

    // The cores the target could use: its pinned CPUs, else the machine's.
    private static double? AvailableCores(TargetUsage target, int? machineCores) =>
        target.Cpus is { } pinned ? CountCpus(pinned) : machineCores;

    // The cross-check: only a search that stopped at the target's own limit (not the generator's)
    // on a known number of cores measures a rate per core at saturation.
    private static (double? PerCore, string Note) SaturationPerCore(FindMax? findMax, TargetUsage target, double perCoreFromCpu, Func<double, string> f)
    {
        if (findMax is null)
        {
            return (null, "no saturation search in this result, so no cross-check");
        }

        if (findMax.GeneratorBound == true)
        {
            return (null, $"the saturation search was generator-bound at {f(findMax.MaxSustainableRate)} msg/s, so the target's saturation is not measured and cannot cross-check");
        }

        if (findMax.Steps.All(step => step.Passed))
        {
            return (null, "every step of the saturation search met the SLO, so the target's saturation was not reached");
        }

        if (target.Cpus is not { } cpus)
        {
            return (null, "the target was not pinned, so the cores behind its saturation rate are unknown: pin it (--target-cpus) for a cross-check");
        }

        var count = CountCpus(cpus);
        var perCore = findMax.MaxSustainableRate / count;
        return (perCore, $"cross-check at saturation: {f(findMax.MaxSustainableRate)} msg/s on {count} pinned core(s) = {f(perCore)} msg/s per core, against {f(perCoreFromCpu)} from CPU per message");
    }

    private static int CountCpus(string list)
    {
        var count = 0;
        foreach (var part in list.Split(','))
        {
            var range = part.Split('-');
            count += range.Length == 2 ? int.Parse(range[1], CultureInfo.InvariantCulture) - int.Parse(range[0], CultureInfo.InvariantCulture) + 1 : 1;
        }

        return count;
    }
}
