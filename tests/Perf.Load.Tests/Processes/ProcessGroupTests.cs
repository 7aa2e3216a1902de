using System.Diagnostics;
using Perf.Load.Processes;

namespace Perf.Load.Tests.Processes;

/// <summary>A group of processes read as one: a killed member's CPU time stays counted, a slot can be filled again.</summary>
public sealed class ProcessGroupTests
{
    [Fact]
    public async Task Killing_a_member_keeps_its_cpu_time_and_empties_its_slot_for_a_restart()
    {
        await using var group = new ProcessGroup("member", 2);
        group.Set(0, await StartAsync("while true; do :; done"));
        group.Set(1, await StartAsync("exec sleep 30"));
        var deadline = Stopwatch.StartNew();
        while (group.Sample().CpuTime < TimeSpan.FromMilliseconds(50))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "the busy child used no CPU");
            await Task.Delay(20);
        }

        var before = group.Sample();
        Assert.True(await group.KillAsync(0));
        var after = group.Sample();

        Assert.Null(group[0]);
        Assert.False(await group.KillAsync(0));
        Assert.True(after.CpuTime >= before.CpuTime, $"CPU time went back from {before.CpuTime} to {after.CpuTime}");
        Assert.Throws<InvalidOperationException>(() => group.Set(1, group[1]!));
        group.Set(0, await StartAsync("exec sleep 30"));
        Assert.NotNull(group[0]);
    }

    private static Task<ChildProcess> StartAsync(string script) =>
        ChildProcess.StartAsync(new ChildProcessStart(new ProcessStartInfo("sh") { ArgumentList = { "-c", "echo ready; " + script } }, "member") { ReadyLinePrefix = "ready" }, CancellationToken.None);
}
