namespace Perf.Load.Impairment;

/// <summary>
/// Link outages: while one lasts, a connection's link carries nothing either way (a tunnel, a
/// cell change, a radio-link failure); what was sent meanwhile waits and arrives when it ends.
/// Each connection has its own outages: periodic ones start at a phase drawn from the seed, random
/// ones at exponentially spaced times.
/// </summary>
/// <param name="Duration">How long each outage lasts.</param>
/// <param name="Every">Periodic: one outage every this long, or <c>null</c>.</param>
/// <param name="PerSecond">Random: an outage begins with this probability per second (Poisson), or 0.</param>
public sealed record StallPlan(TimeSpan Duration, TimeSpan? Every, double PerSecond)
{
    /// <summary>The profile line's value: <c>2s/60s</c> (periodic) or <c>2s@1/m</c> (random).</summary>
    public override string ToString() => Every is { } every
        ? $"{ProfileUnits.FormatTime(Duration)}/{ProfileUnits.FormatTime(every)}"
        : $"{ProfileUnits.FormatTime(Duration)}@{ProfileUnits.FormatPerSecond(PerSecond)}";
}
