using System.Runtime.InteropServices;

namespace Perf.Load.Os;

/// <summary>
/// The few Linux calls the harness needs and .NET does not expose: CPU affinity of single
/// threads (a child process inherits the forking thread's mask), precise absolute sleeps with
/// a small timer slack, the open-file limit, epoll for a receive thread of the generator's
/// own, and SIGTERM for a child asked to stop. Callers check <see cref="OperatingSystem.IsLinux"/>.
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
    private const int RusageWords = 18;
    private const int SignalTerminate = 15;

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

    /// <summary>
    /// Lowers the calling thread to SCHED_IDLE (any thread may lower itself), or failing that to
    /// nice 19: a runnable thread of normal priority then always preempts it on wake-up. Returns
    /// which it got: "idle", "nice 19" or null.
    /// </summary>
    public static string? LowerCurrentThreadPriority()
    {
        const int schedIdle = 5;
        var none = 0;
        if (sched_setscheduler(0, schedIdle, in none) == 0)
        {
            return "idle";
        }

        return SetCurrentThreadNice(19) ? "nice 19" : null;
    }

    /// <summary>Sets the calling thread's nice value (raising it needs no privilege); returns whether it took.</summary>
    public static bool SetCurrentThreadNice(int nice)
    {
        // PRIO_PROCESS with who = 0 is the calling thread on Linux.
        const int priorityProcess = 0;
        return setpriority(priorityProcess, 0, nice) == 0;
    }

    /// <summary>
    /// Context switches (voluntary and not) of the whole calling process so far, threads that have
    /// ended included (getrusage RUSAGE_SELF); -1 if the call failed.
    /// </summary>
    public static long ContextSwitchesOfThisProcess()
    {
        const int rusageSelf = 0;
        Span<long> usage = stackalloc long[RusageWords];
        if (getrusage(rusageSelf, ref MemoryMarshal.GetReference(usage)) != 0)
        {
            return -1;
        }

        // struct rusage: two timevals (4 words), then 14 longs ending in ru_nvcsw, ru_nivcsw.
        return usage[RusageWords - 2] + usage[RusageWords - 1];
    }

    /// <summary>CPU time (user + system) of the calling thread so far (getrusage RUSAGE_THREAD); zero if the call failed.</summary>
    public static TimeSpan CurrentThreadCpuTime()
    {
        const int rusageThread = 1;
        Span<long> usage = stackalloc long[RusageWords];
        if (getrusage(rusageThread, ref MemoryMarshal.GetReference(usage)) != 0)
        {
            return TimeSpan.Zero;
        }

        // struct rusage begins with ru_utime and ru_stime, each {seconds, microseconds}.
        return TimeSpan.FromMicroseconds(((usage[0] + usage[2]) * 1_000_000) + usage[1] + usage[3]);
    }

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

    /// <summary>epoll_create1(EPOLL_CLOEXEC).</summary>
    public static int EpollCreate() => epoll_create1(0x80000);

    /// <summary>Watches <paramref name="fd"/> for input, reporting <paramref name="data"/> with each event.</summary>
    public static int EpollAddInput(int epoll, int fd, ulong data)
    {
        // EPOLLIN | EPOLLRDHUP
        const uint events = 0x001 | 0x2000;
        return EpollWatch(epoll, fd, 0, events, data);
    }

    /// <summary>
    /// Changes what <paramref name="fd"/> is watched for from <paramref name="current"/> to
    /// <paramref name="events"/> (EPOLLIN 0x1, EPOLLOUT 0x4; level-triggered): adds it when
    /// <paramref name="current"/> is 0, removes it when <paramref name="events"/> is 0.
    /// </summary>
    public static int EpollWatch(int epoll, int fd, uint current, uint events, ulong data)
    {
        const int add = 1;
        const int remove = 2;
        const int modify = 3;
        var op = current == 0 ? add : events == 0 ? remove : modify;
        return PackedEpollEvents
            ? epoll_ctl_packed(epoll, op, fd, new EpollEventPacked(events, data))
            : epoll_ctl(epoll, op, fd, new EpollEvent(events, data));
    }

    /// <summary>Stops watching <paramref name="fd"/>.</summary>
    public static int EpollRemove(int epoll, int fd) =>
        PackedEpollEvents ? epoll_ctl_packed(epoll, 2, fd, default) : epoll_ctl(epoll, 2, fd, default);

    /// <summary>Waits up to <paramref name="timeoutMs"/> for events; writes each ready descriptor's data into <paramref name="ready"/> and returns how many (-1 on error).</summary>
    public static unsafe int EpollWait(int epoll, Span<ulong> ready, int timeoutMs) => Wait(epoll, ready, timeoutMs, null);

    /// <summary>
    /// Whether <see cref="EpollWaitFor"/> works here: epoll_pwait2 needs Linux 5.11 and glibc 2.35.
    /// Checked once with a zero timeout on a throwaway epoll set.
    /// </summary>
    public static bool HasEpollWaitNanoseconds { get; } = ProbeEpollPwait2();

    /// <summary>
    /// Waits up to <paramref name="timeoutNanoseconds"/> for events (epoll_pwait2), as
    /// <see cref="EpollWait"/> does. A wait with a fine timeout in one call: arming a timerfd
    /// before each wait costs a second system call, which in a virtual machine (where re-enabling
    /// interrupts in the kernel is a hypervisor call) was a fifth of the generator's CPU time.
    /// </summary>
    public static unsafe int EpollWaitFor(int epoll, Span<ulong> ready, long timeoutNanoseconds)
    {
        var nanoseconds = Math.Max(0, timeoutNanoseconds);
        var timeout = new TimeSpec(nanoseconds / 1_000_000_000, nanoseconds % 1_000_000_000);
        return Wait(epoll, ready, 0, &timeout);
    }

    // epoll_wait with a millisecond timeout, or epoll_pwait2 when a timeout is given; each ready
    // descriptor's data is copied into ready.
    private static unsafe int Wait(int epoll, Span<ulong> ready, int timeoutMs, TimeSpec* timeout)
    {
        var max = Math.Min(ready.Length, 64);
        if (PackedEpollEvents)
        {
            var events = stackalloc EpollEventPacked[max];
            var count = timeout is null ? epoll_wait_packed(epoll, events, max, timeoutMs) : epoll_pwait2_packed(epoll, events, max, timeout, IntPtr.Zero);
            for (var i = 0; i < count; i++)
            {
                ready[i] = events[i].Data;
            }

            return count;
        }
        else
        {
            var events = stackalloc EpollEvent[max];
            var count = timeout is null ? epoll_wait(epoll, events, max, timeoutMs) : epoll_pwait2(epoll, events, max, timeout, IntPtr.Zero);
            for (var i = 0; i < count; i++)
            {
                ready[i] = events[i].Data;
            }

            return count;
        }
    }

    /// <summary>A CLOCK_MONOTONIC timerfd (non-blocking, close-on-exec), or -1.</summary>
    public static int TimerFdCreate() => timerfd_create(ClockMonotonic, 0x800 | 0x80000);

    /// <summary>Arms <paramref name="timerFd"/> to fire once at the CLOCK_MONOTONIC time <paramref name="nanoseconds"/> (the past fires at once).</summary>
    public static int TimerFdSetAbsolute(int timerFd, long nanoseconds)
    {
        // An all-zero value would disarm the timer rather than fire it.
        var at = Math.Max(1, nanoseconds);
        var due = new TimerSpec(default, new TimeSpec(at / 1_000_000_000, at % 1_000_000_000));
        return timerfd_settime(timerFd, TimerAbsoluteTime, in due, IntPtr.Zero);
    }

    /// <summary>Reads (and so clears) a timerfd's expiry count; 0 when it has not fired.</summary>
    public static unsafe long TimerFdClear(int timerFd)
    {
        long expirations = 0;
        return read(timerFd, &expirations, sizeof(long)) == sizeof(long) ? expirations : 0;
    }

    /// <summary>Closes a descriptor this class opened.</summary>
    public static int Close(int fd) => close(fd);

    /// <summary>Sends SIGTERM to process <paramref name="pid"/> (.NET's <c>Process.Kill</c> only sends SIGKILL); 0 when sent.</summary>
    public static int Terminate(int pid) => kill(pid, SignalTerminate);

    private static bool ProbeEpollPwait2()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var epoll = EpollCreate();
        if (epoll < 0)
        {
            return false;
        }

        try
        {
            // An old glibc has no such symbol; an old kernel answers ENOSYS (-1).
            return EpollWaitFor(epoll, stackalloc ulong[1], 0) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        finally
        {
            close(epoll);
        }
    }

    // struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16).
    private static bool PackedEpollEvents => RuntimeInformation.ProcessArchitecture == Architecture.X64;

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport(Libc, EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int epoll_ctl_packed(int epoll, int op, int fd, in EpollEventPacked ev);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int epoll_ctl(int epoll, int op, int fd, in EpollEvent ev);

    [LibraryImport(Libc, EntryPoint = "epoll_wait", SetLastError = true)]
    private static unsafe partial int epoll_wait_packed(int epoll, EpollEventPacked* events, int maxEvents, int timeout);

    [LibraryImport(Libc, SetLastError = true)]
    private static unsafe partial int epoll_wait(int epoll, EpollEvent* events, int maxEvents, int timeout);

    [LibraryImport(Libc, EntryPoint = "epoll_pwait2", SetLastError = true)]
    private static unsafe partial int epoll_pwait2_packed(int epoll, EpollEventPacked* events, int maxEvents, TimeSpec* timeout, IntPtr signalMask);

    [LibraryImport(Libc, SetLastError = true)]
    private static unsafe partial int epoll_pwait2(int epoll, EpollEvent* events, int maxEvents, TimeSpec* timeout, IntPtr signalMask);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int timerfd_create(int clockId, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int timerfd_settime(int fd, int flags, in TimerSpec newValue, IntPtr oldValue);

    [LibraryImport(Libc, SetLastError = true)]
    private static unsafe partial nint read(int fd, void* buffer, nint count);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nint cpusetsize, ReadOnlySpan<ulong> mask);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int sched_getaffinity(int pid, nint cpusetsize, Span<ulong> mask);

    [LibraryImport(Libc)]
    private static partial int clock_nanosleep(int clockId, int flags, in TimeSpec request, IntPtr remain);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int sched_setscheduler(int pid, int policy, in int priority);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int setpriority(int which, int who, int priority);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int getrlimit(int resource, ref RLimit limit);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int getrusage(int who, ref long usage);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int setrlimit(int resource, ref RLimit limit);

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly record struct EpollEventPacked(uint Events, ulong Data);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct EpollEvent(uint Events, ulong Data);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct TimerSpec(TimeSpec Interval, TimeSpec Value);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct TimeSpec(long Seconds, long Nanoseconds);

    [StructLayout(LayoutKind.Sequential)]
    private record struct RLimit(ulong Current, ulong Maximum);
}
