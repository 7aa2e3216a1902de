using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Perf.Load.Os;

namespace Perf.Load.Tests.Os;

/// <summary>The Linux calls behind the generator's waits and its background thread's priority.</summary>
public sealed class LinuxWaitAndPriorityTests
{
    [SkippableFact]
    public void A_thread_that_lowers_itself_runs_at_idle_priority()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "thread scheduling policies are Linux's.");
        string? got = null;
        string? policy = null;
        var thread = new Thread(() =>
        {
            got = LinuxNative.LowerCurrentThreadPriority();
            policy = SchedulingPolicyOfCurrentThread();
        });
        thread.Start();
        thread.Join();

        Assert.Equal("idle", got);
        Assert.Equal("5", policy); // SCHED_IDLE
        Assert.Equal("0", SchedulingPolicyOfCurrentThread()); // the caller's own thread is untouched
    }

    [SkippableFact]
    public void A_nanosecond_wait_times_out_without_events_and_returns_at_once_with_one()
    {
        Skip.IfNot(LinuxNative.HasEpollWaitNanoseconds, "epoll_pwait2 needs Linux 5.11 and glibc 2.35.");
        var epoll = LinuxNative.EpollCreate();
        try
        {
            Span<ulong> ready = stackalloc ulong[4];
            var start = Stopwatch.GetTimestamp();
            Assert.Equal(0, LinuxNative.EpollWaitFor(epoll, ready, 3_000_000));
            Assert.True(Stopwatch.GetElapsedTime(start) >= TimeSpan.FromMilliseconds(3), "returned before its timeout");

            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect((IPEndPoint)listener.LocalEndpoint);
            using var server = listener.AcceptSocket();
            Assert.Equal(0, LinuxNative.EpollAddInput(epoll, (int)client.Handle, 42));
            server.Send("x"u8);

            // An hour's timeout: only the arrival can end this wait.
            Assert.Equal(1, LinuxNative.EpollWaitFor(epoll, ready, 3_600_000_000_000));
            Assert.Equal(42UL, ready[0]);
        }
        finally
        {
            LinuxNative.Close(epoll);
        }
    }

    // /proc/thread-self/sched has a "policy : N" line (0 normal, 5 idle).
    internal static string? SchedulingPolicyOfCurrentThread() =>
        File.ReadLines("/proc/thread-self/sched")
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim() == "policy")
            .Select(parts => parts[1].Trim())
            .FirstOrDefault();
}
