using System.Runtime.InteropServices;

namespace Perf.Load.Os;

/// <summary>
/// The few Linux calls the harness needs and .NET does not expose: CPU affinity of single
/// threads (a child process inherits the forking thread's mask), precise absolute sleeps with
/// a small timer slack, and the open-file limit. Callers check <see cref="OperatingSystem.IsLinux"/>.
/// </summary>
internal static partial class LinuxNative
{
    /// <summary>Words of a <c>cpu_set_t</c> (1024 CPUs).</summary>
    public const int CpuSetWords = 16;

    private const string Libc = "libc";
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private const int PrSetTimerSlack = 29;
    private const int ResourceOpenFiles = 7;

    /// <summary>Sets the CPU mask of thread <paramref name="tid"/> (0: the calling thread).</summary>
    public static int SetAffinity(int tid, ReadOnlySpan<ulong> mask) => sched_setaffinity(tid, CpuSetWords * sizeof(ulong), mask);

    /// <summary>Reads the CPU mask of thread <paramref name="tid"/> (0: the calling thread).</summary>
    public static int GetAffinity(int tid, Span<ulong> mask) => sched_getaffinity(tid, CpuSetWords * sizeof(ulong), mask);

    /// <summary>Sleeps until the CLOCK_MONOTONIC time <paramref name="nanoseconds"/> (the clock <see cref="System.Diagnostics.Stopwatch"/> reads on Linux).</summary>
    public static int SleepUntil(long nanoseconds)
    {
        var due = new TimeSpec(nanoseconds / 1_000_000_000, nanoseconds % 1_000_000_000);
        return clock_nanosleep(ClockMonotonic, TimerAbsoluteTime, in due, IntPtr.Zero);
    }

    /// <summary>Sets the calling thread's timer slack (the kernel's default of 50 µs would blur every wake-up).</summary>
    public static int SetTimerSlack(ulong nanoseconds) => prctl(PrSetTimerSlack, nanoseconds, 0, 0, 0);

    /// <summary>Reads the open-file limit (soft, hard).</summary>
    public static bool TryGetOpenFileLimit(out ulong soft, out ulong hard)
    {
        var limit = default(RLimit);
        var ok = getrlimit(ResourceOpenFiles, ref limit) == 0;
        (soft, hard) = (limit.Current, limit.Maximum);
        return ok;
    }

    /// <summary>Sets the soft open-file limit, keeping the hard one.</summary>
    public static bool TrySetOpenFileLimit(ulong soft, ulong hard)
    {
        var limit = new RLimit(soft, hard);
        return setrlimit(ResourceOpenFiles, ref limit) == 0;
    }

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nint cpusetsize, ReadOnlySpan<ulong> mask);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int sched_getaffinity(int pid, nint cpusetsize, Span<ulong> mask);

    [LibraryImport(Libc)]
    private static partial int clock_nanosleep(int clockId, int flags, in TimeSpec request, IntPtr remain);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int getrlimit(int resource, ref RLimit limit);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int setrlimit(int resource, ref RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct TimeSpec(long Seconds, long Nanoseconds);

    [StructLayout(LayoutKind.Sequential)]
    private record struct RLimit(ulong Current, ulong Maximum);
}
