using System.Globalization;
using Perf.Results.Model;

namespace Perf.Results.Capacity;

/// <summary>
/// Turns a find-max load result into a relay fleet size. The model is linear: sustainable rate scales with cores,
/// connection memory with connections; each resource is planned to run at most (1 − headroom) full.
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
        var findMax = result.FindMax ?? throw new BadInputException("the result has no find_max: run a find-max load test first");
        var relay = result.Relay ?? throw new BadInputException("the result has no relay usage (memory per connection, cores used)");
        if (findMax.MaxSustainableRate <= 0) throw new BadInputException("the result's max_sustainable_rate is 0: nothing passed the SLO");
        if (!findMax.Slo.IsAtLeastAsStrictAs(inputs.Slo))
        {
            throw new BadInputException($"the result was measured at SLO {findMax.Slo}, weaker than the asked {inputs.Slo}");
        }

        if (inputs.SizeBytes > result.Scenario.Size)
        {
            throw new BadInputException($"the result measured {result.Scenario.Size}-byte messages; it cannot vouch for {inputs.SizeBytes}-byte ones");
        }

        double coresPerNode = inputs.CoresPerNode ?? result.Environment.Cores
            ?? throw new BadInputException("the result does not record cores (a k6 run); pass --cores-per-node");
        long memoryPerNode = inputs.MemoryPerNodeBytes ?? result.Environment.MemoryBytes
            ?? throw new BadInputException("the result does not record memory; pass --memory-per-node");

        double connections = inputs.Users * inputs.ConcurrentFraction;
        double peak = inputs.Users * inputs.MessagesPerUserPerDay / SecondsPerDay * inputs.PeakFactor;
        double perCore = findMax.MaxSustainableRate / relay.CoresUsed;
        double usable = 1 - inputs.Headroom;
        double coresNeeded = peak / (perCore * usable);
        double memoryNeeded = connections * relay.MemoryPerConnectionBytes / usable;
        double cpuNodes = coresNeeded / coresPerNode;
        double memoryNodes = memoryNeeded / memoryPerNode;
        long nodesForCpu = (long)Math.Ceiling(cpuNodes);
        long nodesForMemory = (long)Math.Ceiling(memoryNodes);
        long nodes = Math.Max(1, Math.Max(nodesForCpu, nodesForMemory));
        string binding = cpuNodes >= memoryNodes ? "cpu" : "memory";

        string F(double v) => v.ToString("#,0.###", CultureInfo.InvariantCulture);
        var assumptions = new List<string>
        {
            $"users = {F(inputs.Users)}, concurrent fraction = {F(inputs.ConcurrentFraction)}, messages per user per day = {F(inputs.MessagesPerUserPerDay)}, peak factor = {F(inputs.PeakFactor)}",
            $"message size = {inputs.SizeBytes} B (measured at {result.Scenario.Size} B), SLO asked {inputs.Slo}, measured at {findMax.Slo}",
            $"headroom = {Percent.Format(inputs.Headroom)}: each resource planned at most {Percent.Format(usable)} full",
            $"measured: max sustainable rate = {F(findMax.MaxSustainableRate)} msg/s using {F(relay.CoresUsed)} cores, {F(relay.MemoryPerConnectionBytes)} B per connection",
            $"measured on: {result.Environment.CpuModel ?? "unknown CPU"}, {result.Environment.Cores?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} cores, {result.Environment.Backend}/{result.Environment.Cipher}, target {result.Scenario.Target}",
            $"per node: {F(coresPerNode)} cores{(inputs.CoresPerNode is null ? " (the measured machine's)" : "")}, {F(memoryPerNode)} B memory{(inputs.MemoryPerNodeBytes is null ? " (the measured machine's)" : "")}",
            "throughput scales linearly with cores and memory with connections (the relay's idle memory is not counted); load is spread evenly over nodes",
        };
        if (findMax.GeneratorBound == true)
        {
            assumptions.Add("the search stopped at the load generator's limit, not the relay's: the rate is a lower bound and msg/s per core was measured below saturation (batching grows with load, so it may be optimistic or pessimistic at the relay's own limit)");
        }

        var formulas = new List<string>
        {
            $"connections = users × fraction = {F(inputs.Users)} × {F(inputs.ConcurrentFraction)} = {F(connections)}",
            $"peak msg/s = users × msgs/user/day / 86400 × peak factor = {F(inputs.Users)} × {F(inputs.MessagesPerUserPerDay)} / 86400 × {F(inputs.PeakFactor)} = {F(peak)}",
            $"msg/s per core = max sustainable rate / cores used = {F(findMax.MaxSustainableRate)} / {F(relay.CoresUsed)} = {F(perCore)}",
            $"cores needed = peak / (msg/s per core × (1 − headroom)) = {F(peak)} / ({F(perCore)} × {F(usable)}) = {F(coresNeeded)}",
            $"nodes for cpu = ceil(cores needed / cores per node) = ceil({F(coresNeeded)} / {F(coresPerNode)}) = {nodesForCpu}",
            $"memory needed = connections × bytes per connection / (1 − headroom) = {F(connections)} × {F(relay.MemoryPerConnectionBytes)} / {F(usable)} = {F(memoryNeeded)} B",
            $"nodes for memory = ceil(memory needed / memory per node) = ceil({F(memoryNeeded)} / {F(memoryPerNode)}) = {nodesForMemory}",
            $"nodes = max(1, nodes for cpu, nodes for memory) = {nodes}; binding resource: {binding}",
        };

        return new CapacityPlan
        {
            Connections = connections,
            PeakMsgsPerS = peak,
            MsgsPerSPerCore = perCore,
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
}
