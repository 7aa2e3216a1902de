using System.Diagnostics;

namespace Perf.Load.Engine;

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
    public static ProcessUsage Between(ProcessResourceSample start, ProcessResourceSample end, long messages) =>
        new(end.CpuTime - start.CpuTime, Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp), messages, Math.Max(0, end.ContextSwitches - start.ContextSwitches));
}
