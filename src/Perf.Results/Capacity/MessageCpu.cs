using System.Globalization;
using Perf.Results.Model;

namespace Perf.Results.Capacity;

/// <summary>
/// The relay's CPU per message a plan applies: the target's CPU time per message measured below
/// saturation (a core delivers 10^6 / µs-per-message messages per second); when a saturation
/// search reached the target's own limit on known cores, that rate per core is the cross-check,
/// and the lower of the two is used.
/// </summary>
/// <param name="MeasuredUs">The CPU µs per message of the window used.</param>
/// <param name="Rate">The offered rate of that window, msgs/s.</param>
/// <param name="Cores">The target's cores in that window.</param>
/// <param name="Step">The find-max step the figure came from, or null for the run's own window.</param>
/// <param name="PerCoreFromCpu">10^6 / <paramref name="MeasuredUs"/>.</param>
/// <param name="PerCoreAtSaturation">The SLO-bound rate per pinned core, when a search measured one.</param>
internal sealed record MessageCpu(double MeasuredUs, double Rate, double Cores, FindMaxStep? Step, double PerCoreFromCpu, double? PerCoreAtSaturation)
{
    /// <summary>Whether the saturation rate per core is below the CPU figure's, and so is the one used.</summary>
    public bool FromSaturation => PerCoreAtSaturation is { } saturated && saturated < PerCoreFromCpu;

    /// <summary>Messages per second per core as planned: the lower of the two.</summary>
    public double PerCore => FromSaturation ? PerCoreAtSaturation!.Value : PerCoreFromCpu;

    /// <summary>CPU µs per message as planned: 10^6 / <see cref="PerCore"/>.</summary>
    public double UsPerMessage => 1_000_000 / PerCore;

    /// <summary>Reads the figure from <paramref name="result"/>; its choice goes into <paramref name="notes"/>.</summary>
    /// <exception cref="BadInputException">When the target measured no CPU per message.</exception>
    public static MessageCpu Of(PerfResult result, TargetUsage target, double usable, PlanNotes notes)
    {
        var bestCpu = target.CpuUsPerMessage is > 0 and var cpu ? cpu : throw new BadInputException("the result's target section has no cpu_us_per_message (nothing was delivered)");
        var findMax = result.FindMax;
        var bestRate = findMax?.MaxSustainableRate ?? result.Metrics.ThroughputMsgsPerS;
        var (measured, rate, cores, step, note) = Window(findMax, target, bestCpu, bestRate, AvailableCores(target, result.Environment.Cores), usable);
        var perCoreFromCpu = 1_000_000 / measured;
        var (saturated, saturationNote) = SaturationPerCore(findMax, target, perCoreFromCpu);
        var figure = new MessageCpu(measured, rate, cores, step, perCoreFromCpu, saturated);
        notes.Assume($"measured: {target.Process} used {Units.Micros(measured)} of CPU per message ({Units.Significant(cores)} cores at {Units.Rate(rate)}{(target.Cpus is { } pinned ? $", pinned to CPUs {pinned}" : "")})");
        notes.Assume(note);
        notes.Assume($"msgs/s per core taken from {(figure.FromSaturation ? "the saturation search: the target's SLO-bound rate per core was below what its CPU per message allows" : "CPU per message")}; {saturationNote}");
        notes.Assume($"CPU per message as measured at {Units.Rate(rate)}: it falls as the load rises (wake-ups and system calls are shared by more messages), so a plan for a higher load per core is conservative and one for a lower load optimistic; load is spread evenly over nodes");
        if (target.Process == "perf relay" && result.Target is null)
        {
            notes.Assume("an older result (relay section): CPU per message is its cores at the reported rate over that rate");
        }

        if (findMax?.GeneratorBound == true)
        {
            notes.Assume("the search stopped at the load generator's limit, not the relay's: the maximum rate is a lower bound and the relay's own saturation was not reached");
        }

        return figure;
    }

    /// <summary>The figure's terms: msgs/s per core from CPU, and with a saturation cross-check that one and the lower of the two.</summary>
    public IEnumerable<PlanTerm> Terms(FindMax? findMax)
    {
        yield return new("CPU: msgs/s per core", PerCoreFromCpu, "msgs/s", $"1,000,000 / CPU µs per message = 1,000,000 / {Units.Significant(MeasuredUs)} = {Units.Count(PerCoreFromCpu)}");
        if (PerCoreAtSaturation is { } atSaturation)
        {
            yield return new("CPU: msgs/s per core at saturation", atSaturation, "msgs/s", $"max sustainable rate / pinned cores = {Units.Count(findMax!.MaxSustainableRate)} / {Units.Significant(findMax.MaxSustainableRate / atSaturation)} = {Units.Count(atSaturation)}");
            yield return new("CPU: per message as planned", UsPerMessage, "µs", $"1,000,000 / the lower msgs/s per core = 1,000,000 / {Units.Count(PerCore)} = {Units.Micros(UsPerMessage)}");
        }
    }

    // The CPU per message the plan applies. The target section holds the fastest passing step's,
    // measured wherever the search stopped, often on a full core, where longer batches make each
    // message cheaper than on a core run (1 − headroom) full as the plan runs it (relay-tcp pinned:
    // 17 µs at 56,953 msgs/s on a full core, 38 at 16,875 on 0.64 of it). Then the fastest passing
    // step whose target was no fuller than the plan's cores gives the figure instead.
    private static (double CpuUs, double Rate, double Cores, FindMaxStep? Step, string Note) Window(FindMax? findMax, TargetUsage target, double bestCpu, double bestRate, double? available, double usable)
    {
        if (findMax is null || available is not > 0)
        {
            return (bestCpu, bestRate, target.CoresUsed, null, available is > 0 ? "CPU per message from the one measured rate" : "CPU per message from the fastest passing rate (the cores the target had are unknown, so how full they were is not checked)");
        }

        var cores = available.Value;
        if (target.CoresUsed / cores <= usable)
        {
            return (bestCpu, bestRate, target.CoresUsed, BestStep(findMax), $"CPU per message from the fastest passing step, where the target's {Units.Significant(cores)} core(s) were {Percent.Format(target.CoresUsed / cores)} full, no fuller than the plan runs them");
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
            return (bestCpu, bestRate, target.CoresUsed, BestStep(findMax), $"CPU per message from the fastest passing step, where the target's {Units.Significant(cores)} core(s) were {Percent.Format(target.CoresUsed / cores)} full and no step ran them at most {Percent.Format(usable)} full: optimistic for a plan that runs cores no fuller than that");
        }

        return (chosen.TargetCpuUsPerMessage!.Value, chosen.Rate, chosen.Cores!.Value, chosen,
            $"CPU per message from the {Units.Rate(chosen.Rate)} step, the fastest where the target's {Units.Significant(cores)} core(s) were at most {Percent.Format(usable)} full ({Percent.Format(chosen.Cores.Value / cores)}), as the plan runs them; not from the fastest passing step ({Units.Rate(bestRate)}, {Percent.Format(target.CoresUsed / cores)} full, {Units.Micros(bestCpu)}), where a fuller core batched more and cost less per message");
    }

    private static FindMaxStep? BestStep(FindMax findMax)
    {
        FindMaxStep? best = null;
        foreach (var step in findMax.Steps)
        {
            if (step.Passed && step.Rate == findMax.MaxSustainableRate)
            {
                best = step;
            }
        }

        return best;
    }

    /// <summary>The cores the target could use: its pinned CPUs, else the machine's.</summary>
    public static double? AvailableCores(TargetUsage target, int? machineCores) =>
        target.Cpus is { } pinned ? CountCpus(pinned) : machineCores;

    // The cross-check: only a search that stopped at the target's own limit (not the generator's)
    // on a known number of cores measures a rate per core at saturation.
    private static (double? PerCore, string Note) SaturationPerCore(FindMax? findMax, TargetUsage target, double perCoreFromCpu)
    {
        if (findMax is null)
        {
            return (null, "no saturation search in this result, so no cross-check");
        }

        if (findMax.GeneratorBound == true)
        {
            return (null, $"the saturation search was generator-bound at {Units.Rate(findMax.MaxSustainableRate)}, so the target's saturation is not measured and cannot cross-check");
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
        return (perCore, $"cross-check at saturation: {Units.Rate(findMax.MaxSustainableRate)} on {count} pinned core(s) = {Units.Rate(perCore)} per core, against {Units.Rate(perCoreFromCpu)} from CPU per message");
    }

    /// <summary>How many CPUs a list such as <c>0,2-3</c> names.</summary>
    public static int CountCpus(string list)
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
