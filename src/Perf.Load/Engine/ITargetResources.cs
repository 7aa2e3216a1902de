using System.Diagnostics;

namespace Perf.Load.Engine;

/// <summary>
/// Reads what a target process has used so far, for capacity planning: only a target in its own
/// process can be measured honestly (an embedded one shares the generator's CPU and heap).
/// </summary>
public interface ITargetResources
{
    /// <summary>The target's CPU time and resident memory now.</summary>
    TargetResourceSample Sample();
}

/// <summary>One reading of a target process.</summary>
/// <param name="CpuTime">User plus system CPU time since the process started.</param>
/// <param name="ResidentBytes">Resident set size (what the process occupies in RAM).</param>
/// <param name="Timestamp">When it was read (<see cref="Stopwatch.GetTimestamp"/>).</param>
public readonly record struct TargetResourceSample(TimeSpan CpuTime, long ResidentBytes, long Timestamp)
{
    /// <summary>Cores used on average between <paramref name="start"/> and <paramref name="end"/>: CPU time over wall time.</summary>
    public static double CoresBetween(TargetResourceSample start, TargetResourceSample end)
    {
        var wall = Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp);
        return wall <= TimeSpan.Zero ? 0 : (end.CpuTime - start.CpuTime).TotalSeconds / wall.TotalSeconds;
    }
}
