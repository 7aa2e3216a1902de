using System.Diagnostics;
using System.Globalization;

namespace Perf.Load.Os;

/// <summary>
/// Pins processes to CPUs on Linux, so a target and the load generator do not share cores.
/// A child process is started from a thread pinned to the child's CPUs: it inherits that mask
/// from its first instruction, so its runtime sizes itself for those CPUs (.NET's processor
/// count, Go's GOMAXPROCS) exactly as under <c>taskset -c</c>. The generator pins every thread
/// it has; threads it creates later inherit the mask of the thread that creates them.
/// </summary>
public static class CpuAffinity
{
    /// <summary>Whether this platform can pin (Linux only).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>The CPUs this process may run on now.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    public static CpuSet Available() => OfThread(0) ?? throw new InvalidOperationException("sched_getaffinity returned an empty mask.");

    /// <summary>The CPUs thread or process <paramref name="id"/> may run on (0: the calling thread), or <c>null</c> when it is gone.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    public static CpuSet? OfThread(int id)
    {
        ThrowIfUnsupported();
        Span<ulong> mask = stackalloc ulong[LinuxNative.CpuSetWords];
        return LinuxNative.GetAffinity(id, mask) == 0 ? CpuSet.FromMask(mask) : null;
    }

    /// <summary>The CPUs of every thread of process <paramref name="processId"/>, as the union of their masks.</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    public static CpuSet? OfProcess(int processId)
    {
        var cpus = new List<int>();
        foreach (var thread in Threads(processId))
        {
            if (OfThread(thread) is { } set)
            {
                cpus.AddRange(set.Cpus);
            }
        }

        return cpus.Count == 0 ? null : CpuSet.Of([.. cpus]);
    }

    /// <summary>Pins every thread of this process to <paramref name="cpus"/> (repeated until no new thread appears).</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    /// <exception cref="InvalidOperationException">The kernel refused the mask (CPUs offline or outside this process's cpuset).</exception>
    public static void PinCurrentProcess(CpuSet cpus)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        ThrowIfUnsupported();
        var mask = cpus.ToMask();
        var pinned = new HashSet<int>();
        var self = Environment.ProcessId;
        for (var pass = 0; pass < 10; pass++)
        {
            var added = false;
            foreach (var thread in Threads(self))
            {
                if (pinned.Add(thread))
                {
                    added = true;
                    if (LinuxNative.SetAffinity(thread, mask) != 0 && Directory.Exists($"/proc/{self}/task/{thread}"))
                    {
                        throw new InvalidOperationException($"cannot pin thread {thread} to CPUs {cpus}: error {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}.");
                    }
                }
            }

            if (!added)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="start"/> with its CPUs set to <paramref name="cpus"/> from birth (or,
    /// when <c>null</c>, this process's own mask).
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">CPUs given, not Linux.</exception>
    /// <exception cref="System.ComponentModel.Win32Exception">The program could not be started.</exception>
    public static Process Start(ProcessStartInfo start, CpuSet? cpus)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (cpus is null)
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        }

        ThrowIfUnsupported();
        Process? started = null;
        Exception? failure = null;
        // A fresh thread: its mask can change without touching any thread the generator uses;
        // the fork happens on it, so the child inherits the mask.
        var starter = new Thread(() =>
        {
            try
            {
                if (LinuxNative.SetAffinity(0, cpus.ToMask()) != 0)
                {
                    throw new InvalidOperationException($"cannot pin to CPUs {cpus}: error {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}.");
                }

                started = Process.Start(start);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        {
            IsBackground = true,
            Name = "perf pinned start",
        };
        starter.Start();
        starter.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return started ?? throw new InvalidOperationException($"{start.FileName} did not start.");
    }

    private static IEnumerable<int> Threads(int processId)
    {
        string[] entries;
        try
        {
            entries = Directory.GetDirectories($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/task");
        }
        catch (DirectoryNotFoundException)
        {
            yield break;
        }

        foreach (var entry in entries)
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var thread))
            {
                yield return thread;
            }
        }
    }

    private static void ThrowIfUnsupported()
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("CPU pinning needs Linux (sched_setaffinity).");
        }
    }
}
