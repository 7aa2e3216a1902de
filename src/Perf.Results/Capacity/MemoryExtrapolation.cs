namespace Perf.Results.Capacity;

/// <summary>
/// How far a memory figure measured over some idle connections (or held messages) is carried to
/// what one node holds in the plan. Memory per connection is not linear far from where it was
/// measured (heap regions, pools, the kernel's socket caches grow in steps), so beyond
/// <see cref="CapacityInputs.MaxMemoryExtrapolation"/> times the plan refuses, and beyond the
/// default it plans only when told to and says so.
/// </summary>
internal static class MemoryExtrapolation
{
    /// <summary>Checks <paramref name="plannedPerNode"/> against <paramref name="measured"/>.</summary>
    /// <param name="what">The figure, e.g. <c>relay memory per connection</c>.</param>
    /// <param name="over">What it was measured over, e.g. <c>idle connections</c>.</param>
    /// <param name="plannedPerNode">How many of them one node holds in the plan.</param>
    /// <param name="measured">How many the measurement held, when recorded.</param>
    /// <param name="inputs">The allowed factor.</param>
    /// <param name="notes">Where the outcome is said.</param>
    /// <exception cref="BadInputException">When the factor is beyond the allowed one.</exception>
    public static void Check(string what, string over, double plannedPerNode, long? measured, CapacityInputs inputs, PlanNotes notes)
    {
        if (measured is not > 0)
        {
            notes.Warn($"{what}: the result does not record how many {over} it was measured over, so how far the plan carries it is unknown");
            return;
        }

        var factor = plannedPerNode / measured.Value;
        var said = $"{what} was measured over {Units.Count(measured.Value)} {over} and is planned at {Units.Count(plannedPerNode)} per node: {Units.Significant(factor)}× as many";
        if (factor > inputs.MaxMemoryExtrapolation)
        {
            throw new BadInputException($"{said}, beyond the {Units.Significant(inputs.MaxMemoryExtrapolation)}× --max-extrapolation: measure over {Units.Count(Math.Ceiling(plannedPerNode / inputs.MaxMemoryExtrapolation))} or more, or pass --max-extrapolation {Math.Ceiling(factor)} to plan anyway (the plan then says so)");
        }

        if (factor > CapacityInputs.DefaultMaxMemoryExtrapolation)
        {
            notes.Warn($"{said}, beyond the default {Units.Significant(CapacityInputs.DefaultMaxMemoryExtrapolation)}× limit (raised by --max-extrapolation): memory that grows in steps away from the measurement is not in this plan");
        }
        else if (factor > 1)
        {
            notes.Assume($"{said} (within the {Units.Significant(inputs.MaxMemoryExtrapolation)}× limit)");
        }
    }
}
