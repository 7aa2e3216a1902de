using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace Perf.Benchmarks.Infrastructure;

/// <summary>
/// A BenchmarkDotNet clock that reads the calling thread's CPU time (Linux
/// <c>CLOCK_THREAD_CPUTIME_ID</c>, nanoseconds) instead of the wall clock. BenchmarkDotNet times
/// each iteration on the thread that runs it, so on a machine shared with other work this leaves
/// out the time the benchmark spent descheduled, which on 2 busy cores is most of the noise; it
/// also leaves out work done on other threads (none in these single-threaded, allocation-free
/// suites). Opt-in with <c>PERF_BENCH_CLOCK=thread-cpu</c>; never mix its results with wall-clock ones in a gate.
/// </summary>
public sealed partial class ThreadCpuClock : IClock
{
    private const int ThreadCpuTimeClockId = 3;

    /// <summary>The one instance.</summary>
    public static ThreadCpuClock Instance { get; } = new();

    /// <inheritdoc />
    public string Title => "Thread CPU time (CLOCK_THREAD_CPUTIME_ID)";

    /// <inheritdoc />
    public bool IsAvailable => OperatingSystem.IsLinux();

    /// <inheritdoc />
    public Frequency Frequency => Frequency.GHz;

    /// <inheritdoc />
    public long GetTimestamp()
    {
        if (clock_gettime(ThreadCpuTimeClockId, out var time) != 0)
        {
            throw new InvalidOperationException($"clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        return (time.Seconds * 1_000_000_000L) + time.Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int clock_gettime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
