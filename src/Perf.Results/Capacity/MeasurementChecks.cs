using Perf.Results.Model;

namespace Perf.Results.Capacity;

/// <summary>
/// Whether a result can vouch for a plan: it met the asked SLO (refused otherwise), and warnings
/// when it is a weak basis: its processes filled the machine (the CPU figures are contention's as
/// much as the relay's), or its latency sat near the SLO (the run was at its limit).
/// </summary>
internal static class MeasurementChecks
{
    /// <summary>A machine (or a shared CPU set) this full was oversubscribed: its processes waited for each other.</summary>
    public const double FullFraction = 0.9;

    /// <summary>A measured percentile above this fraction of the SLO sat near it.</summary>
    public const double NearSloFraction = 0.9;

    /// <summary>
    /// A find-max result must have been judged at an SLO at least as strict as the one asked; a
    /// single run must have met the asked SLO itself. Returns how it met it, for the assumptions.
    /// </summary>
    /// <exception cref="BadInputException">When the result cannot vouch for <paramref name="asked"/>.</exception>
    public static string CheckSlo(PerfResult result, Slo asked)
    {
        if (result.FindMax is { } findMax)
        {
            if (findMax.MaxSustainableRate <= 0) throw new BadInputException("the result's max_sustainable_rate is 0: nothing passed the SLO");
            if (!findMax.Slo.IsAtLeastAsStrictAs(asked))
            {
                throw new BadInputException($"the result was measured at SLO {Text(findMax.Slo)}, weaker than the asked {Text(asked)}");
            }

            return $"at {Text(findMax.Slo)} (find-max)";
        }

        var observed = Observed(result, null, asked) ?? throw new BadInputException("the result has no end_to_end_us to check the SLO against");
        if (observed > asked.ThresholdUs)
        {
            throw new BadInputException($"the run's {asked.Percentile} was {Units.Micros(observed)}, over the asked {Text(asked)}: it cannot vouch for that SLO");
        }

        return $"{asked.Percentile} = {Units.Micros(observed)} in one run at {Units.Rate(result.Metrics.ThroughputMsgsPerS)}";
    }

    /// <summary>An SLO as the plan prints it: <c>p99 ≤ 50 ms</c>.</summary>
    public static string Text(Slo slo) => $"{slo.Percentile} ≤ {Units.Micros(slo.ThresholdUs)}";

    /// <summary>Warns when the window the CPU figure came from had its SLO percentile within 10 % of the asked SLO.</summary>
    public static void WarnNearSlo(PerfResult result, MessageCpu cpu, Slo asked, PlanNotes notes)
    {
        if (Observed(result, cpu.Step, asked) is { } observed && observed > NearSloFraction * asked.ThresholdUs)
        {
            notes.Warn($"the measured {asked.Percentile} ({Units.Micros(observed)} at {Units.Rate(cpu.Rate)}) sat within {Percent.Format(1 - NearSloFraction)} of the SLO ({Units.Micros(asked.ThresholdUs)}): the run was at its limit, where queueing, not the relay's work, sets the latency; plan from a run further below the SLO");
        }
    }

    /// <summary>
    /// Warns when the measured processes (target, generator, NATS) used at least 90 % of the
    /// cores they could run on: of the machine, for any of them unpinned, or of a CPU set two of
    /// them were pinned to together. A target alone on its own pinned CPUs is a saturation search
    /// working as meant, not contention.
    /// </summary>
    public static void WarnOversubscribed(PerfResult result, MessageCpu cpu, PlanNotes notes)
    {
        var processes = Processes(result, cpu);
        if (result.Environment.Cores is { } machine && processes.Exists(p => p.Cpus is null))
        {
            var used = 0.0;
            var count = 0;
            foreach (var p in processes)
            {
                used += p.Cores;
                count += p.Count;
            }

            if (used >= FullFraction * machine)
            {
                notes.Warn($"oversubscribed: {count} processes ({Names(processes)}) used {Units.Significant(used)} of the machine's {machine} cores: they waited for each other, so the CPU per message and the latency are partly contention's; measure with fewer processes per core (pin the target with --target-cpus, the generator with --generator-cpus)");
            }
        }

        foreach (var group in processes.Where(p => p.Cpus is not null).GroupBy(p => p.Cpus!))
        {
            var sharing = group.ToList();
            var used = sharing.Sum(p => p.Cores);
            var size = MessageCpu.CountCpus(group.Key);
            if (sharing.Count > 1 && used >= FullFraction * size)
            {
                notes.Warn($"oversubscribed: {Names(sharing)} shared CPUs {group.Key} and used {Units.Significant(used)} of its {size} core(s): they waited for each other, so their CPU per message is partly contention's");
            }
        }
    }

    // The processes of the window the CPU figure came from: the target (its step's cores for a
    // find-max step), the generator, the NATS nodes (a relay cluster's, or the store beside the relay).
    private static List<(string Name, double Cores, string? Cpus, int Count)> Processes(PerfResult result, MessageCpu cpu)
    {
        var target = result.TargetOrRelay()!;
        var list = new List<(string, double, string?, int)> { (target.Process, cpu.Cores, target.Cpus, result.Cluster?.RelayNodes ?? 1) };
        if (result.Generator is { } generator)
        {
            list.Add(("the generator", generator.CoresUsed, generator.Cpus, 1));
        }

        if (MeasuredStore.Of(result) is { Nats: { } nats } store)
        {
            list.Add((nats.Process, nats.CoresUsed, nats.Cpus, store.MeasuredNatsNodes));
        }

        return list;
    }

    private static string Names(IEnumerable<(string Name, double Cores, string? Cpus, int Count)> processes) =>
        string.Join(", ", processes.Select(p => $"{p.Name} {Units.Significant(p.Cores)}"));

    // The asked percentile of the window: a find-max step records p50, p99 and p99.9 only.
    private static double? Observed(PerfResult result, FindMaxStep? step, Slo asked)
    {
        if (step is not null)
        {
            return asked.Percentile switch
            {
                "p50" => step.P50Us,
                "p99" => step.P99Us,
                "p999" => step.P999Us,
                _ => null,
            };
        }

        // A find-max result's metrics are its best step's run.
        if (result.Metrics.EndToEndUs is not { } e)
        {
            return null;
        }

        return asked.Percentile switch
        {
            "p50" => e.P50,
            "p90" => e.P90,
            "p99" => e.P99,
            "p999" => e.P999,
            _ => e.P9999,
        };
    }
}
