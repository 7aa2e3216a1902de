using Perf.Results.Model;

namespace Perf.Results.Capacity;

/// <summary>
/// NATS nodes behind a durable-store relay, from what its nats-server(s) measured: CPU per
/// message (every replica's work in it), memory per online identity and per held message, and
/// JetStream disk (bytes per held message × the messages held × replicas); at least one node per
/// replica. A memory-store relay needs none; a durable one whose NATS was not measured is not
/// planned, and the plan says why.
/// </summary>
internal static class NatsFleet
{
    /// <summary>The NATS fleet, or null with the reason.</summary>
    /// <param name="store">The measured store.</param>
    /// <param name="idleConnections">The idle connections the measurement held (NATS memory per identity was measured over them).</param>
    /// <param name="load">The planned load.</param>
    /// <param name="node">A node's size.</param>
    /// <param name="inputs">The inputs.</param>
    /// <param name="notes">Where assumptions and warnings go.</param>
    /// <exception cref="BadInputException">Memory would be extrapolated beyond the allowed factor, or a node cannot hold nats-server's base memory.</exception>
    public static (FleetPlan? Fleet, string? Note) Plan(MeasuredStore store, long? idleConnections, PlannedLoad load, NodeSize node, CapacityInputs inputs, PlanNotes notes)
    {
        if (!store.Durable)
        {
            return (null, "none: the measured relay kept its mailboxes in its own memory, which needs no NATS (and loses held messages when a relay restarts)");
        }

        if (store.Nats is not { CpuUsPerMessage: > 0 } nats)
        {
            notes.Warn("the measured relay stored messages in JetStream, but this result has no measurement of its nats-server: the plan has no NATS nodes, and a durable fleet needs them (measure with perf load --store nats, or --target relay-cluster)");
            return (null, "not planned: the result's JetStream store was not measured");
        }

        var usable = 1 - inputs.Headroom;
        var terms = new List<PlanTerm>();
        var limits = new List<NodeLimit>
        {
            new("replicas", store.Replicas, $"one node per JetStream replica = {store.Replicas}"),
            Cpu(nats, load, node, usable, terms),
        };
        var memory = Memory(store, nats, load, node, usable, terms, notes);
        limits.Add(memory.Limit);
        var disk = DiskNeeded(store, nats, load, terms, notes);
        if (disk is { } bytes && inputs.DiskPerNodeBytes is { } perNode)
        {
            var nodes = (long)Math.Ceiling(bytes / (perNode * usable));
            limits.Add(new("disk", nodes, $"ceil(disk needed / (disk per node × (1 − headroom))) = ceil({Units.Bytes(bytes)} / ({Units.Bytes(perNode)} × {Units.Significant(usable)})) = {nodes}"));
        }

        var fleet = FleetPlan.Choose("NATS", terms, limits, inputs.NPlusOne);
        if (disk is { } total && inputs.DiskPerNodeBytes is null)
        {
            var eachNode = total / fleet.NodesNeeded / usable;
            fleet = fleet with { Terms = [.. terms, new("disk per node", eachNode, "B", $"disk needed / nodes / (1 − headroom) = {Units.Bytes(total)} / {fleet.NodesNeeded} / {Units.Significant(usable)} = {Units.Bytes(eachNode)} (--disk-per-node sizes the fleet by it)")] };
        }

        if (memory.PerIdentity is not null)
        {
            MemoryExtrapolation.Check("NATS memory per online identity", "idle connections", load.Connections / fleet.NodesNeeded, nats.IdleConnections ?? idleConnections, inputs, notes);
        }

        if (memory.PerHeld is not null)
        {
            MemoryExtrapolation.Check("NATS memory per held message", "held messages", load.HeldMessages * store.Replicas / fleet.NodesNeeded, nats.HeldMessages!.Messages, inputs, notes);
            notes.Assume("NATS memory per held message was read seconds after the messages were written: it includes JetStream's cache of the blocks just written and the new recipients' subject index, which a file-backed stream does not keep per message for the whole retention, so the held-message memory term is an upper bound (measure more held messages, and a reading after the cache expired, for a closer one)");
        }

        notes.Assume($"NATS: {store.Description}; NATS nodes have the relay nodes' cores and memory; its figures are the measured nats-server processes' together (every replica's work included), spread evenly over the nodes");
        return (fleet, null);
    }

    private static NodeLimit Cpu(TargetUsage nats, PlannedLoad load, NodeSize node, double usable, List<PlanTerm> terms)
    {
        var cpu = nats.CpuUsPerMessage!.Value;
        var cores = load.PeakMsgsPerS * cpu / 1e6 / usable;
        terms.Add(new("CPU: cores needed", cores, "cores", $"peak × NATS CPU per message / (1 − headroom) = {Units.Rate(load.PeakMsgsPerS)} × {Units.Micros(cpu)} / {Units.Significant(usable)} = {Units.Significant(cores)} cores"));
        var nodes = (long)Math.Ceiling(cores / node.Cores);
        return new("cpu", nodes, $"ceil(NATS cores needed / cores per node) = ceil({Units.Significant(cores)} / {Units.Significant(node.Cores)}) = {nodes}");
    }

    private static (NodeLimit Limit, double? PerIdentity, double? PerHeld) Memory(MeasuredStore store, TargetUsage nats, PlannedLoad load, NodeSize node, double usable, List<PlanTerm> terms, PlanNotes notes)
    {
        var perIdentity = nats.MemoryPerConnectionBytes;
        var perHeld = nats.HeldMessages?.MemoryPerMessageBytes;
        if (perIdentity is null)
        {
            notes.Warn("NATS memory per online identity not measured in this result (perf load --idle-connections N with a measured store measures it): left out of the NATS memory term");
        }

        if (perHeld is null)
        {
            notes.Warn("NATS memory and disk per held message not measured in this result (perf load --held-messages N measures them): left out of the NATS terms");
        }

        var identities = load.Connections * (perIdentity ?? 0);
        var held = load.HeldMessages * store.Replicas * (perHeld ?? 0);
        var baseBytes = nats.ResidentBytes is { } resident ? resident / (double)Math.Max(1, store.MeasuredNatsNodes) : 0;
        var available = (node.MemoryBytes * usable) - baseBytes;
        if (available <= 0)
        {
            throw new BadInputException($"a node's usable memory ({Units.Bytes(node.MemoryBytes * usable)}) does not hold nats-server's base memory ({Units.Bytes(baseBytes)}): give nodes more memory (--memory-per-node)");
        }

        terms.Add(new("memory: online identities", identities, "B", perIdentity is { } i
            ? $"connections × NATS memory per online identity = {Units.Count(load.Connections)} × {Units.Bytes(i)} = {Units.Bytes(identities)}"
            : "not measured: 0 B counted"));
        terms.Add(new("memory: held messages", held, "B", perHeld is { } h
            ? $"held messages × replicas × NATS memory per held message = {Units.Scaled(load.HeldMessages)} × {store.Replicas} × {Units.Bytes(h)} = {Units.Bytes(held)}"
            : "not measured: 0 B counted"));
        terms.Add(new("memory: base per node", baseBytes, "B", nats.ResidentBytes is { } r
            ? $"nats-server resident at the end / measured nodes = {Units.Bytes(r)} / {Math.Max(1, store.MeasuredNatsNodes)} = {Units.Bytes(baseBytes)} (its identities and held messages included: an upper bound)"
            : "not measured: 0 B counted"));
        var nodes = (long)Math.Ceiling((identities + held) / available);
        var limit = new NodeLimit("memory", nodes, $"ceil((identities + held messages) / (memory per node × (1 − headroom) − base)) = ceil(({Units.Bytes(identities)} + {Units.Bytes(held)}) / ({Units.Bytes(node.MemoryBytes)} × {Units.Significant(usable)} − {Units.Bytes(baseBytes)})) = {nodes}");
        return (limit, perIdentity, perHeld);
    }

    // JetStream's disk: every replica stores every held message.
    private static double? DiskNeeded(MeasuredStore store, TargetUsage nats, PlannedLoad load, List<PlanTerm> terms, PlanNotes notes)
    {
        if (nats.HeldMessages?.DiskPerMessageBytes is not { } perMessage)
        {
            return null;
        }

        var bytes = load.HeldMessages * perMessage * store.Replicas;
        terms.Add(new("disk needed", bytes, "B", $"held messages × JetStream bytes per held message × replicas = {Units.Scaled(load.HeldMessages)} × {Units.Bytes(perMessage)} × {store.Replicas} = {Units.Bytes(bytes)}"));
        notes.Assume("JetStream disk: every replica keeps every held message; bytes per message as JetStream counted them (subject, headers and payload), file overhead and compaction not included");
        return bytes;
    }
}
