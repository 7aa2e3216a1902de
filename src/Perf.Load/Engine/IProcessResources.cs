using System.Diagnostics;

namespace Perf.Load.Engine;

/// <summary>
/// Reads what a process (or a group of processes) has used so far: a target's, when it runs in
/// its own process (an embedded target shares the generator's CPU and heap and cannot be
/// measured apart), or the generator's own (<see cref="GeneratorResources"/>).
/// </summary>
public interface IProcessResources
{
    /// <summary>The process's CPU time and resident memory now.</summary>
    ProcessResourceSample Sample();
}

/// <summary>One reading of a process.</summary>
/// <param name="CpuTime">User plus system CPU time since the process started.</param>
/// <param name="ResidentBytes">Resident set size (what the process occupies in RAM).</param>
/// <param name="Timestamp">When it was read (<see cref="Stopwatch.GetTimestamp"/>).</param>
/// <param name="ContextSwitches">Context switches of its live threads so far (Linux; 0 elsewhere): the wake-ups its CPU time pays for.</param>
public readonly record struct ProcessResourceSample(TimeSpan CpuTime, long ResidentBytes, long Timestamp, long ContextSwitches = 0)
{
    /// <summary>The context switches of every live thread of <paramref name="processId"/> (voluntary and not), from <c>/proc</c>; 0 off Linux.</summary>
    public static long ContextSwitchesOf(int processId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        long total = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
            {
                try
                {
                    foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                    {
                        if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            total += long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }
                }
                catch (IOException)
                {
                    // The thread ended between the listing and the read.
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The process ended.
        }

        return total;
    }
}
