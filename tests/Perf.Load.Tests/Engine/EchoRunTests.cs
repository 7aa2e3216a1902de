using System.Net;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Recording;
using Perf.Load.Targets.Echo;

namespace Perf.Load.Tests.Engine;

public sealed class EchoRunTests
{
    [Fact]
    public async Task A_short_echo_run_accounts_for_every_message()
    {
        await using var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        var scenario = new LoadScenario
        {
            Connections = 4,
            RatePerSecond = 400,
            MessageSize = 128,
            Duration = TimeSpan.FromSeconds(2),
            Warmup = TimeSpan.FromMilliseconds(500),
        };
        await using var target = new EchoTarget(server.EndPoint);

        var result = await new OpenLoopRunner(scenario).RunAsync(target, progress: null, CancellationToken.None);
        var recorders = result.Recorders;

        // Schedule arithmetic, not timing: 400/s for 2 s, give or take one message per connection.
        Assert.InRange(recorders.Sent, 800 - scenario.Connections, 800 + scenario.Connections);
        Assert.Equal(result.Scheduled, recorders.Sent);
        Assert.Equal(recorders.Sent, recorders.Delivered + recorders.Rejected + result.Lost);
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, recorders.Duplicates);
        Assert.Equal(0, recorders.Errors);
        Assert.Equal(recorders.Delivered, recorders.Total(LoadStage.EndToEnd).TotalCount);
        Assert.Equal(recorders.Sent, recorders.Total(LoadStage.GeneratorLag).TotalCount);
        Assert.Equal(0, recorders.Total(LoadStage.Seal).TotalCount);
        Assert.False(result.Has(LoadStage.Seal));
    }

    [Fact]
    public async Task The_warm_up_is_recorded_and_shown_apart_and_left_out_of_the_result()
    {
        await using var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        var scenario = new LoadScenario
        {
            Connections = 2,
            RatePerSecond = 400,
            MessageSize = 64,
            Duration = TimeSpan.FromSeconds(1.5),
            Warmup = TimeSpan.FromSeconds(5),
        };
        await using var target = new EchoTarget(server.EndPoint);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<LoadProgress>();

        var result = await new OpenLoopRunner(scenario).RunAsync(target, new Progress(seen), CancellationToken.None);

        // A warm-up report made once the schedule runs shows the warm-up's own traffic and
        // latencies, where it used to show zeros. The reports come from the idle-priority sampler:
        // beside a full build it made one in 3.5 s, so the test asks for one such report, not a count.
        var warmUp = seen.Where(p => p.WarmingUp).ToList();
        Assert.Contains(warmUp, p => p.SentPerSecond is >= 1 and <= 1_000 && p.Interval.EndToEndCount > 0 && p.Interval.EndToEndP99 > 0);

        // Schedule arithmetic: only the 1.5 s window at 400/s is in the result, none of the warm-up's.
        Assert.InRange(result.Recorders.Sent, 600 - scenario.Connections, 600 + scenario.Connections);
        Assert.Equal(result.Scheduled, result.Recorders.Sent);
        Assert.Equal(result.Recorders.Sent, result.Recorders.Total(LoadStage.GeneratorLag).TotalCount);
        Assert.Equal(result.Recorders.Delivered, result.Recorders.Total(LoadStage.EndToEnd).TotalCount);
    }

    [SkippableFact]
    public async Task The_per_second_bookkeeping_runs_on_a_thread_at_idle_priority()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "thread scheduling policies are Linux's.");
        await using var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        // 3 s, so that a report is made even when a busy machine gives the idle-priority sampler little CPU.
        var scenario = new LoadScenario { Connections = 2, RatePerSecond = 200, MessageSize = 64, Duration = TimeSpan.FromSeconds(3), Warmup = TimeSpan.Zero };
        await using var target = new EchoTarget(server.EndPoint);
        var seen = new PolicyProgress();

        await new OpenLoopRunner(scenario).RunAsync(target, seen, CancellationToken.None);

        // The progress report is made by the sampler, on its own thread: never the scheduling
        // thread's or a thread-pool worker's normal priority.
        Assert.NotEmpty(seen.Policies);
        Assert.All(seen.Policies, policy => Assert.Equal("5", policy));
        Assert.All(seen.ThreadNames, name => Assert.Equal("perf load sampler", name));
    }

    [Fact]
    public async Task An_unreachable_echo_target_says_how_to_start_one()
    {
        var port = Perf.Load.Processes.LoopbackPort.Free();
        await using var target = new EchoTarget(new IPEndPoint(IPAddress.Loopback, port));
        var scenario = new LoadScenario { Connections = 1, Duration = TimeSpan.FromSeconds(1) };

        var ex = await Assert.ThrowsAsync<Perf.Load.Targets.LoadTargetException>(
            () => new OpenLoopRunner(scenario).RunAsync(target, null, CancellationToken.None));

        Assert.Contains("perf echo --listen", ex.Message, StringComparison.Ordinal);
    }

    private sealed class Progress(System.Collections.Concurrent.ConcurrentQueue<LoadProgress> seen) : IProgress<LoadProgress>
    {
        public void Report(LoadProgress value) => seen.Enqueue(value);
    }

    private sealed class PolicyProgress : IProgress<LoadProgress>
    {
        public System.Collections.Concurrent.ConcurrentQueue<string?> Policies { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<string?> ThreadNames { get; } = new();

        public void Report(LoadProgress value)
        {
            Policies.Enqueue(Os.LinuxWaitAndPriorityTests.SchedulingPolicyOfCurrentThread());
            ThreadNames.Enqueue(Thread.CurrentThread.Name);
        }
    }
}
