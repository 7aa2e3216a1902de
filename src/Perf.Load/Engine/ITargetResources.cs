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

/// <summary>Measuring a target's cores around a piece of work.</summary>
public static class TargetResources
{
    /// <summary>
    /// Runs <paramref name="work"/>; when <paramref name="resources"/> is given (a target in its own
    /// process), also returns the cores the target used meanwhile, else <c>null</c>.
    /// </summary>
    public static async Task<(T Result, double? Cores)> MeasureCoresAsync<T>(this ITargetResources? resources, Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (resources is null)
        {
            return (await work().ConfigureAwait(false), null);
        }

        var start = resources.Sample();
        var result = await work().ConfigureAwait(false);
        return (result, TargetResourceSample.CoresBetween(start, resources.Sample()));
    }
}
