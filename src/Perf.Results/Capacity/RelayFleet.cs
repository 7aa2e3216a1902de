using Perf.Results.Model;

namespace Perf.Results.Capacity;

/// <summary>
/// Relay nodes, one limit at a time: CPU (messages, keep-alives and a reconnect storm), memory
/// (the process's and the kernel's per connection and, for a memory store, the held messages,
/// over what a node has beside the relay's base), and
/// connections per node (<c>--max-connections</c>, the descriptor limit). The largest binds.
/// </summary>
internal static class RelayFleet
{
    /// <summary>Plans the relay fleet; its terms and limits carry their formulas.</summary>
    /// <exception cref="BadInputException">A figure the plan needs was not measured, or memory would be extrapolated beyond the allowed factor.</exception>
    public static FleetPlan Plan(PerfResult result, TargetUsage target, MeasuredStore store, MessageCpu cpu, PlannedLoad load, NodeSize node, CapacityInputs inputs, PlanNotes notes)
    {
        var usable = 1 - inputs.Headroom;
        var terms = new List<PlanTerm>();
        var limits = new List<NodeLimit>
        {
            Cpu(result.FindMax, target, cpu, load, node, inputs, usable, terms, notes),
            Memory(target, result.Cluster?.RelayNodes ?? 1, store, load, node, usable, terms, notes),
            Connections(result, load, inputs, usable, notes),
        };
        var fleet = FleetPlan.Choose("relay", terms, limits, inputs.NPlusOne);
        MemoryExtrapolation.Check("relay memory per connection", "idle connections", load.Connections / fleet.NodesNeeded, target.IdleConnections, inputs, notes);
        if (!store.Durable && target.HeldMessages is { } held)
        {
            MemoryExtrapolation.Check("relay memory per held message", "held messages", load.HeldMessages / fleet.NodesNeeded, held.Messages, inputs, notes);
        }

        return fleet;
    }

    private static NodeLimit Cpu(FindMax? findMax, TargetUsage target, MessageCpu cpu, PlannedLoad load, NodeSize node, CapacityInputs inputs, double usable, List<PlanTerm> terms, PlanNotes notes)
    {
        var keepAliveUs = target.CpuUsPerKeepAlive;
        if (keepAliveUs is null)
        {
            keepAliveUs = cpu.UsPerMessage;
            notes.Warn($"keep-alive CPU not measured in this result (perf load --idle-connections N measures it): a PING is planned at one message's CPU, {Units.Micros(keepAliveUs.Value)} (a PING is read, opened and answered on one connection; a message is read on one and written to another)");
        }

        var handshakeUs = target.ReconnectStorm?.CpuUsPerHandshake;
        if (handshakeUs is null && inputs.ReconnectFraction > 0)
        {
            throw new BadInputException("the result has no reconnect_storm.cpu_us_per_handshake for the reconnect term: measure it (perf load ... --reconnect-storm N) or plan without reconnects (--reconnect-fraction 0)");
        }

        terms.AddRange(cpu.Terms(findMax));
        var messages = load.PeakMsgsPerS * cpu.UsPerMessage / 1e6;
        var keepAlives = load.KeepAlivesPerS * keepAliveUs.Value / 1e6;
        var reconnects = load.HandshakesPerS * (handshakeUs ?? 0) / 1e6;
        var needed = (messages + keepAlives + reconnects) / usable;
        terms.Add(new("CPU: messages", messages, "cores", $"peak × CPU per message = {Units.Rate(load.PeakMsgsPerS)} × {Units.Micros(cpu.UsPerMessage)} = {Units.Significant(messages)} cores"));
        terms.Add(new("CPU: keep-alives", keepAlives, "cores", $"keep-alives × CPU per PING = {Units.Rate(load.KeepAlivesPerS, "PINGs/s")} × {Units.Micros(keepAliveUs.Value)}{(target.CpuUsPerKeepAlive is null ? " (a message's: not measured)" : "")} = {Units.Significant(keepAlives)} cores"));
        terms.Add(new("CPU: reconnects", reconnects, "cores", handshakeUs is { } h && inputs.ReconnectFraction > 0
            ? $"storm handshakes × CPU per handshake = {Units.Rate(load.HandshakesPerS, "handshakes/s")} × {Units.Micros(h)} = {Units.Significant(reconnects)} cores"
            : "none planned (--reconnect-fraction 0)"));
        terms.Add(new("CPU: cores needed", needed, "cores", $"(messages + keep-alives + reconnects) / (1 − headroom) = ({Units.Significant(messages)} + {Units.Significant(keepAlives)} + {Units.Significant(reconnects)}) / {Units.Significant(usable)} = {Units.Significant(needed)} cores"));
        notes.Assume("CPU terms add up as if the storm came at the peak: a node's death or a deploy does not wait for a quiet hour");
        var nodes = (long)Math.Ceiling(needed / node.Cores);
        return new NodeLimit("cpu", nodes, $"ceil(cores needed / cores per node) = ceil({Units.Significant(needed)} / {Units.Significant(node.Cores)}) = {nodes}");
    }

    // The relay's memory: every connection's (its process's and the kernel's share), and for a
    // memory store the messages it holds for offline recipients, over what a node has beside its base.
    // A relay-cluster result's resident memory and idle connections are all its relay nodes' together
    // (the idle clients are spread over them): a node's base is their base over the nodes measured.
    private static NodeLimit Memory(TargetUsage target, int measuredNodes, MeasuredStore store, PlannedLoad load, NodeSize node, double usable, List<PlanTerm> terms, PlanNotes notes)
    {
        var process = target.MemoryPerConnectionBytes ?? throw new BadInputException("the result's target section has no memory_per_connection_bytes: run perf load with --idle-connections N");
        var kernel = target.KernelMemoryPerConnectionBytes ?? 0;
        if (target.KernelMemoryPerConnectionBytes is null)
        {
            notes.Warn("kernel socket memory not measured in this result (perf load --idle-connections N reads /proc/net/sockstat): the memory term counts the relay process only and is low by the kernel's share of every socket");
        }

        var baseBytes = Math.Max(0, (target.ResidentBytes ?? 0) - ((target.IdleConnections ?? 0) * process)) / Math.Max(1, measuredNodes);
        if (target.ResidentBytes is null)
        {
            notes.Warn("the relay's base memory (resident without its idle connections) is not in this result: the memory term leaves it out");
        }

        var available = (node.MemoryBytes * usable) - baseBytes;
        if (available <= 0)
        {
            throw new BadInputException($"a node's usable memory ({Units.Bytes(node.MemoryBytes * usable)}) does not hold the relay's base memory ({Units.Bytes(baseBytes)}): give nodes more memory (--memory-per-node)");
        }

        var connections = load.Connections * (process + kernel);
        terms.Add(new("memory: process per connection", process, "B", $"the relay's resident growth per idle connection, measured = {Units.Bytes(process)}"));
        terms.Add(new("memory: kernel per connection", kernel, "B", target.KernelMemoryPerConnectionBytes is null
            ? "not measured: 0 B counted"
            : $"kernel socket memory per connection ({target.KernelMemorySource}), measured = {Units.Bytes(kernel)}"));
        terms.Add(new("memory: connections", connections, "B", $"connections × (process + kernel per connection) = {Units.Count(load.Connections)} × {Units.Bytes(process + kernel)} = {Units.Bytes(connections)}"));
        var held = HeldMessages(target, store, load, terms, notes);
        terms.Add(new("memory: base", baseBytes, "B", target.ResidentBytes is { } resident
            ? measuredNodes > 1
                ? $"(resident at the end − idle connections × process per connection) / relay nodes measured = ({Units.Bytes(resident)} − {Units.Count(target.IdleConnections ?? 0)} × {Units.Bytes(process)}) / {measuredNodes} = {Units.Bytes(baseBytes)}"
                : $"resident at the end − idle connections × process per connection = {Units.Bytes(resident)} − {Units.Count(target.IdleConnections ?? 0)} × {Units.Bytes(process)} = {Units.Bytes(baseBytes)}"
            : "not measured: 0 B counted"));
        terms.Add(new("memory: usable per node", available, "B", $"memory per node × (1 − headroom) − base = {Units.Bytes(node.MemoryBytes)} × {Units.Significant(usable)} − {Units.Bytes(baseBytes)} = {Units.Bytes(available)}"));
        var nodes = (long)Math.Ceiling((connections + held) / available);
        return new NodeLimit("memory", nodes, $"ceil((connections + held messages) / usable per node) = ceil(({Units.Bytes(connections)} + {Units.Bytes(held)}) / {Units.Bytes(available)}) = {nodes}");
    }

    // A memory-store relay holds offline recipients' messages itself; a durable one leaves them to JetStream.
    private static double HeldMessages(TargetUsage target, MeasuredStore store, PlannedLoad load, List<PlanTerm> terms, PlanNotes notes)
    {
        if (store.Durable)
        {
            terms.Add(new("memory: held messages", 0, "B", "held in JetStream, not in the relay: see the NATS terms"));
            return 0;
        }

        if (target.HeldMessages is not { } measured)
        {
            notes.Warn("a memory-store relay keeps every held message in its own memory, and this result did not measure what one costs (perf load --held-messages N): the memory term leaves the held messages out");
            terms.Add(new("memory: held messages", 0, "B", "not measured: 0 B counted"));
            return 0;
        }

        var bytes = load.HeldMessages * measured.MemoryPerMessageBytes;
        terms.Add(new("memory: held messages", bytes, "B", $"held messages × relay memory per held message = {Units.Scaled(load.HeldMessages)} × {Units.Bytes(measured.MemoryPerMessageBytes)} = {Units.Bytes(bytes)}"));
        return bytes;
    }

    private static NodeLimit Connections(PerfResult result, PlannedLoad load, CapacityInputs inputs, double usable, PlanNotes notes)
    {
        var byDescriptors = inputs.DescriptorsPerNode - CapacityInputs.ReservedDescriptors;
        var descriptorsBind = byDescriptors < inputs.MaxConnectionsPerNode;
        var cap = Math.Min(inputs.MaxConnectionsPerNode, byDescriptors);
        var perNode = cap * usable;
        notes.Assume($"each connection is one descriptor; a relay keeps {Units.Count(CapacityInputs.ReservedDescriptors)} for itself (listeners, store connections, logs); a node refuses connections past --max-connections ({Units.Count(inputs.MaxConnectionsPerNode)}), and its headroom is kept for the clients of a node that fails");
        if (result.Environment.MaxOpenFiles is { } measured && measured < cap)
        {
            notes.Assume($"the measured machine allowed {Units.Count(measured)} descriptors per process: a node needs its limit raised (LimitNOFILE, ulimit -n) to {Units.Count(cap + CapacityInputs.ReservedDescriptors)} or more to hold {Units.Count(cap)} connections");
        }

        var nodes = (long)Math.Ceiling(load.Connections / perNode);
        var name = descriptorsBind ? $"descriptors per node {Units.Count(inputs.DescriptorsPerNode)} − {Units.Count(CapacityInputs.ReservedDescriptors)}" : $"--max-connections {Units.Count(inputs.MaxConnectionsPerNode)}";
        return new NodeLimit("connections", nodes, $"ceil(connections / (min(--max-connections, descriptors − {Units.Count(CapacityInputs.ReservedDescriptors)}) × (1 − headroom))) = ceil({Units.Count(load.Connections)} / ({name} × {Units.Significant(usable)})) = ceil({Units.Count(load.Connections)} / {Units.Count(perNode)}) = {nodes}");
    }
}
