using System.Diagnostics;
using Perf.Load.Os;

namespace Perf.Load.Engine;

/// <summary>
/// Waits until a Stopwatch time without spinning a core. On Linux the scheduling thread sleeps
/// in <c>clock_nanosleep</c> on the absolute CLOCK_MONOTONIC time (the clock Stopwatch reads) with
/// a 10 µs timer slack, so it wakes within microseconds of the due time and uses no CPU between
/// sends. Elsewhere it sleeps in 1 ms steps and yields for the last 1.5 ms: precise to tens of
/// microseconds, but it keeps a core busy yielding, which a 2-core machine feels in every tail.
/// </summary>
internal static class PreciseWait
{
    private static readonly bool Native = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000 && ClockMatches();

    /// <summary>Whether waits sleep on the absolute monotonic clock.</summary>
    public static bool IsNative => Native;

    // How late the kernel may wake a wait (its default is 50 µs). 1 µs made every wait re-program
    // the timer hardware, which in a virtual machine is a hypervisor call: at 20,000 msgs/s the
    // scheduling thread used 0.84 cores at 1 µs and 0.57 at 50 µs; 10 µs had the lowest p99 of
    // the three against the native floor (416-474 µs, against 464-728 and 634-723).
    private const ulong TimerSlackNanoseconds = 10_000;

    /// <summary>Call once on the thread that will wait: sets its timer slack to 10 µs.</summary>
    public static void PrepareThread()
    {
        if (Native)
        {
            LinuxNative.SetTimerSlack(TimerSlackNanoseconds);
        }
    }

    /// <summary>Returns at or just after <paramref name="dueTicks"/> (Stopwatch ticks).</summary>
    public static void Until(long dueTicks)
    {
        if (Native)
        {
            // clock_nanosleep returns early only on a signal; sleep again for the rest.
            while (Stopwatch.GetTimestamp() < dueTicks)
            {
                LinuxNative.SleepUntil(dueTicks);
            }

            return;
        }

        var sleepThreshold = Stopwatch.Frequency * 3 / 2000;
        while (true)
        {
            var remaining = dueTicks - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            if (remaining > sleepThreshold)
            {
                Thread.Sleep(1);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    // Stopwatch reads CLOCK_MONOTONIC in nanoseconds on Linux; a zero-length absolute sleep at
    // a Stopwatch time must then return at once, and one 2 ms ahead must take about 2 ms.
    private static bool ClockMatches()
    {
        try
        {
            var start = Stopwatch.GetTimestamp();
            LinuxNative.SleepUntil(start + 2_000_000);
            var slept = Stopwatch.GetTimestamp() - start;
            return slept is >= 1_900_000 and < 200_000_000;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
