using System.Diagnostics;

namespace Perf.Load.Engine;

/// <summary>The generator's own process (this one).</summary>
public sealed class GeneratorResources : IProcessResources
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
    public ProcessResourceSample Sample() => new(Environment.CpuUsage.TotalTime, Environment.WorkingSet, Stopwatch.GetTimestamp(), ContextSwitches());

    private static long ContextSwitches() =>
        OperatingSystem.IsLinux() && Os.LinuxNative.ContextSwitchesOfThisProcess() is var count and >= 0 ? count : ProcessResourceSample.ContextSwitchesOf(Environment.ProcessId);
}
