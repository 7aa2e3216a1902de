using Perf.Load.Engine;

namespace Perf.Load.Tests.Engine;

public sealed class GeneratorResourcesTests
{
    [SkippableFact]
    public void Context_switches_of_a_thread_that_has_ended_still_count()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "context switches are read from Linux.");
        var before = GeneratorResources.Instance.Sample();

        // Each 1 ms sleep is at least one voluntary context switch of this thread, which then ends
        // (as the scheduling thread ends before a run's last sample).
        var thread = new Thread(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                Thread.Sleep(1);
            }
        });
        thread.Start();
        thread.Join();

        var after = GeneratorResources.Instance.Sample();
        Assert.True(after.ContextSwitches - before.ContextSwitches >= 200, $"{after.ContextSwitches - before.ContextSwitches} context switches counted");
    }
}
