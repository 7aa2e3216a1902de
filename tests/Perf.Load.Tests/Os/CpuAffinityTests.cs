using System.Diagnostics;
using Perf.Load.Os;
using Perf.Load.Processes;

namespace Perf.Load.Tests.Os;

/// <summary>Pinning on Linux, read back from the kernel (sched_getaffinity of every thread).</summary>
public sealed class CpuAffinityTests
{
    [SkippableFact]
    public async Task A_target_process_is_pinned_from_birth_to_the_cpus_asked()
    {
        Skip.IfNot(CpuAffinity.IsSupported, "CPU pinning needs Linux.");
        var available = CpuAffinity.Available();
        var last = CpuSet.Of(available.Cpus[^1]);
        var sleeper = new ProcessStartInfo("sleep") { ArgumentList = { "30" } };

        await using var process = await ChildProcess.StartAsync(new ChildProcessStart(sleeper, "sleep") { ReadyProbe = _ => Task.FromResult(true), Cpus = last, Timeout = TimeSpan.FromSeconds(5) }, CancellationToken.None);

        Assert.Equal(last, process.Cpus);
        Assert.Equal(last, CpuAffinity.OfProcess(process.ProcessId));
        // The thread that started it is gone; this one kept its own mask.
        Assert.Equal(available, CpuAffinity.OfThread(0));
    }

    [SkippableFact]
    public void Pinning_this_process_reaches_every_thread_it_has()
    {
        Skip.IfNot(CpuAffinity.IsSupported, "CPU pinning needs Linux.");
        // Pinned to what it may already use, so the test host is not narrowed for the tests after this one.
        var available = CpuAffinity.Available();
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            started.Set();
            release.Wait();
        });
        worker.Start();
        started.Wait();

        CpuAffinity.PinCurrentProcess(available);

        Assert.Equal(available, CpuAffinity.OfProcess(Environment.ProcessId));
        release.Set();
        worker.Join();
    }

    [SkippableFact]
    public void A_cpu_this_machine_lacks_is_refused_by_the_kernel()
    {
        Skip.IfNot(CpuAffinity.IsSupported, "CPU pinning needs Linux.");
        var missing = CpuSet.Of(CpuSet.MaxCpu);
        Skip.If(missing.IsSubsetOf(CpuAffinity.Available()), "this machine has 1024 CPUs.");

        var error = Assert.ThrowsAny<Exception>(() => CpuAffinity.Start(new ProcessStartInfo("true"), missing));

        Assert.Contains("cannot pin to CPUs 1023", error.Message, StringComparison.Ordinal);
    }
}
