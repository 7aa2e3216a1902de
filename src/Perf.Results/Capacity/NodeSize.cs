using Perf.Results.Model;

namespace Perf.Results.Capacity;

/// <summary>The size of one node (relay and NATS alike): the asked cores and memory, else the measured machine's.</summary>
/// <param name="Cores">Cores per node.</param>
/// <param name="MemoryBytes">Memory per node, bytes.</param>
internal sealed record NodeSize(double Cores, long MemoryBytes)
{
    /// <summary>The node size of <paramref name="inputs"/>, defaulting to the machine <paramref name="result"/> was measured on.</summary>
    /// <exception cref="BadInputException">When neither the inputs nor the result give a figure.</exception>
    public static NodeSize Of(PerfResult result, CapacityInputs inputs, PlanNotes notes)
    {
        var cores = inputs.CoresPerNode ?? result.Environment.Cores
            ?? throw new BadInputException("the result does not record cores (a k6 run); pass --cores-per-node");
        var memory = inputs.MemoryPerNodeBytes ?? result.Environment.MemoryBytes
            ?? throw new BadInputException("the result does not record memory; pass --memory-per-node");
        notes.Assume($"per node: {Units.Significant(cores)} cores{(inputs.CoresPerNode is null ? " (the measured machine's)" : "")}, {Units.Bytes(memory)} of memory{(inputs.MemoryPerNodeBytes is null ? " (the measured machine's)" : "")}; throughput scales linearly with cores, memory with connections");
        return new NodeSize(cores, memory);
    }
}
