using Perf.Results.Model;

namespace Perf.Results.Capacity;

/// <summary>
/// Turns a load result whose target ran in its own process into a fleet: relay nodes from every
/// limit one node has (<see cref="RelayFleet"/>: CPU for messages, keep-alives and a reconnect
/// storm; memory per connection, the kernel's included, over the relay's base memory; connections
/// per node), NATS nodes behind a durable store (<see cref="NatsFleet"/>), each term with its
/// formula and the binding limit named. The model is linear; each resource is planned to run at
/// most (1 − headroom) full. The result must vouch for the plan (<see cref="MeasurementChecks"/>):
/// it met the SLO, and the plan warns when its run was oversubscribed or near the SLO.
/// </summary>
public static class CapacityPlanner
{
    /// <summary>Plans capacity for <paramref name="inputs"/> from <paramref name="result"/>.</summary>
    /// <exception cref="BadInputException">When an input is out of range, or the result cannot support the plan.</exception>
    public static CapacityPlan Plan(PerfResult result, CapacityInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(inputs);
        inputs.Validate();
        var target = result.TargetOrRelay() ?? throw new BadInputException("the result has no target section (cores, CPU per message, memory per connection): run perf load with --target-process --idle-connections N");
        var measuredSlo = MeasurementChecks.CheckSlo(result, inputs.Slo);
        if (inputs.SizeBytes > result.Scenario.Size)
        {
            throw new BadInputException($"the result measured {result.Scenario.Size}-byte messages; it cannot vouch for {inputs.SizeBytes}-byte ones");
        }

        var notes = new PlanNotes();
        var store = MeasuredStore.Of(result);
        notes.Assume($"message size {inputs.SizeBytes} B (measured at {result.Scenario.Size} B); SLO asked {MeasurementChecks.Text(inputs.Slo)}, met {measuredSlo}; store: {store.Description}");
        notes.Assume($"headroom {Percent.Format(inputs.Headroom)}: every resource planned at most {Percent.Format(1 - inputs.Headroom)} full");
        notes.Assume($"measured on: {result.Environment.CpuModel ?? "unknown CPU"}, {result.Environment.Cores?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} cores, {result.Environment.Backend}/{result.Environment.Cipher}, target {result.Scenario.Target}");
        var node = NodeSize.Of(result, inputs, notes);
        var cpu = MessageCpu.Of(result, target, 1 - inputs.Headroom, notes);
        MeasurementChecks.WarnOversubscribed(result, cpu, notes);
        MeasurementChecks.WarnNearSlo(result, cpu, inputs.Slo, notes);
        var loadTerms = new List<PlanTerm>();
        var load = PlannedLoad.Of(inputs, loadTerms);
        var relay = RelayFleet.Plan(result, target, store, cpu, load, node, inputs, notes);
        var (nats, natsNote) = NatsFleet.Plan(store, target.IdleConnections, load, node, inputs, notes);
        return new CapacityPlan
        {
            Store = store.Description,
            Load = loadTerms,
            Connections = load.Connections,
            PeakMsgsPerS = load.PeakMsgsPerS,
            KeepAlivesPerS = load.KeepAlivesPerS,
            HandshakesPerS = load.HandshakesPerS,
            CpuUsPerMessage = cpu.UsPerMessage,
            MsgsPerSPerCore = cpu.PerCore,
            MsgsPerSPerCoreSource = cpu.FromSaturation ? "saturation" : "cpu_us_per_message",
            SaturationMsgsPerSPerCore = cpu.PerCoreAtSaturation,
            CoresPerNode = node.Cores,
            MemoryPerNodeBytes = node.MemoryBytes,
            Relay = relay,
            Nats = nats,
            NatsNote = natsNote,
            Assumptions = notes.Assumptions,
            Warnings = notes.Warnings,
        };
    }
}
