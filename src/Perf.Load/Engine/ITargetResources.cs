using System.Diagnostics;

namespace Perf.Load.Engine;

/// <summary>
/// Reads what a process has used so far: the target's, when it runs in its own process (an
/// embedded target shares the generator's CPU and heap and cannot be measured apart), or the
/// generator's own (<see cref="GeneratorResources"/>).
/// </summary>
public interface ITargetResources
{
    /// <summary>The process's CPU time and resident memory now.</summary>
    TargetResourceSample Sample();
}

/// <summary>One reading of a process.</summary>
/// <param name="CpuTime">User plus system CPU time since the process started.</param>
/// <param name="ResidentBytes">Resident set size (what the process occupies in RAM).</param>
/// <param name="Timestamp">When it was read (<see cref="Stopwatch.GetTimestamp"/>).</param>
/// <param name="ContextSwitches">Context switches of its live threads so far (Linux; 0 elsewhere): the wake-ups its CPU time pays for.</param>
public readonly record struct TargetResourceSample(TimeSpan CpuTime, long ResidentBytes, long Timestamp, long ContextSwitches = 0)
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

/// <summary>The generator's own process (this one).</summary>
public sealed class GeneratorResources : ITargetResources
{
    /// <summary>The one instance.</summary>
    public static GeneratorResources Instance { get; } = new();

    private GeneratorResources()
    {
    }

    /// <inheritdoc />
    /// <remarks>
    /// Context switches come from getrusage, which keeps those of threads that have ended: the
    /// scheduling thread ends before the window's last sample, and counting live threads only
    /// (as for a target, whose threads outlive the window) reported ~0 for the generator.
    /// </remarks>
    public TargetResourceSample Sample() => new(Environment.CpuUsage.TotalTime, Environment.WorkingSet, Stopwatch.GetTimestamp(), ContextSwitches());

    private static long ContextSwitches() =>
        OperatingSystem.IsLinux() && Os.LinuxNative.ContextSwitchesOfThisProcess() is var count and >= 0 ? count : TargetResourceSample.ContextSwitchesOf(Environment.ProcessId);
}

/// <summary>
/// What a process used over a measured window: CPU time over wall time is the cores it used;
/// CPU time over the messages delivered in the window is its cost per message.
/// </summary>
/// <param name="CpuTime">CPU time spent in the window.</param>
/// <param name="Wall">The window's length.</param>
/// <param name="Messages">Messages delivered in the window.</param>
/// <param name="ContextSwitches">Context switches of its threads in the window.</param>
public sealed record ProcessUsage(TimeSpan CpuTime, TimeSpan Wall, long Messages, long ContextSwitches = 0)
{
    /// <summary>Context switches per delivered message: each is a wake-up (or a preemption) the CPU time pays for; <c>null</c> when nothing was delivered.</summary>
    public double? ContextSwitchesPerMessage => Messages <= 0 ? null : (double)ContextSwitches / Messages;

    /// <summary>Cores used on average: CPU time over wall time.</summary>
    public double Cores => Wall <= TimeSpan.Zero ? 0 : CpuTime.TotalSeconds / Wall.TotalSeconds;

    /// <summary>CPU microseconds per delivered message, or <c>null</c> when nothing was delivered.</summary>
    public double? CpuMicrosecondsPerMessage => Messages <= 0 ? null : CpuTime.TotalMicroseconds / Messages;

    /// <summary>The usage between two readings of one process.</summary>
    public static ProcessUsage Between(TargetResourceSample start, TargetResourceSample end, long messages) =>
        new(end.CpuTime - start.CpuTime, Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp), messages, Math.Max(0, end.ContextSwitches - start.ContextSwitches));
}
