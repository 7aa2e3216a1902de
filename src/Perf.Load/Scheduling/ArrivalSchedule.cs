using System.Diagnostics;

namespace Perf.Load.Scheduling;

/// <summary>
/// The intended send times of one connection's share of the load, in Stopwatch ticks, fixed in
/// advance of the run (open loop): a late send does not move later ones, so the generator
/// never waits for the target to decide when the next message is due.
/// </summary>
public sealed class ArrivalSchedule
{
    private readonly double _meanGapTicks;
    private readonly Random? _poisson;
    private double _next;

    /// <summary>Creates a schedule starting at <paramref name="startTicks"/> for <paramref name="ratePerSecond"/> messages per second.</summary>
    /// <param name="startTicks">Stopwatch timestamp of the first intended send.</param>
    /// <param name="ratePerSecond">This connection's rate; must be positive.</param>
    /// <param name="arrival">Constant gaps, or exponential gaps with the same mean.</param>
    /// <param name="seed">Seed of the Poisson gaps.</param>
    public ArrivalSchedule(long startTicks, double ratePerSecond, ArrivalProcess arrival, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        _meanGapTicks = Stopwatch.Frequency / ratePerSecond;
        _poisson = arrival == ArrivalProcess.Poisson ? new Random(seed) : null;
        _next = startTicks + Gap();
    }

    /// <summary>The intended time of the next message, without consuming it.</summary>
    public long PeekTicks => (long)_next;

    /// <summary>Returns the intended time of the next message and moves on.</summary>
    public long NextTicks()
    {
        var current = (long)_next;
        _next += Gap();
        return current;
    }

    // Constant: the first message goes one gap after start, spreading connections' phases evenly
    // when each starts at a different offset. Poisson: -ln(U) * mean, U in (0, 1].
    private double Gap() => _poisson is null
        ? _meanGapTicks
        : -Math.Log(1.0 - _poisson.NextDouble()) * _meanGapTicks;
}
