using Perf.Cli.Tests.Results;
using Perf.Load.Processes;
using Perf.Results.Files;
using Perf.Testing.Folders;

namespace Perf.Cli.Tests.Load;

/// <summary>
/// <c>perf load --target relay-cluster</c>: real nats-server processes (JetStream) and real
/// <c>perf relay</c> processes, relay nodes killed (SIGKILL) and restarted mid-run by <c>--fault</c>.
/// Skipped, with the reason, where nats-server is not installed.
/// </summary>
public sealed class RelayClusterLoadTests : TempFolder
{
    [SkippableFact]
    public void With_a_publish_window_on_every_node_a_node_killed_mid_run_loses_no_accepted_message()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        var resultPath = Path.Combine(Folder, "window.json");

        // Publishes waiting in the killed node's window were never ACCEPTED: their clients send them again.
        var run = CliRun.Invoke("load", "--target", "relay-cluster", "--relay-nodes", "2", "--nats-nodes", "1", "--store-publish-window", "2000",
            "--fault", "kill:relay:1@1s", "--connections", "4", "--rate", "300", "--duration", "3s", "--warmup", "500ms", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error + run.Output);
        var result = ResultFile.Read(resultPath);
        Assert.Contains("--store-publish-window 2000", result.Command, StringComparison.Ordinal);
        Assert.True(result.Metrics.Sent > 0);
        Assert.Equal(0, result.Metrics.Lost);
        Assert.Equal(result.Metrics.Sent, result.Metrics.Accepted);
        Assert.Equal(result.Metrics.Sent, result.Metrics.Delivered);
        Assert.Null(Assert.Single(result.Cluster!.Faults).Problem);
    }

    [SkippableFact]
    public void A_relay_killed_mid_run_and_another_restarted_lose_no_accepted_message_and_the_result_records_the_faults()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        var resultPath = Path.Combine(Folder, "cluster.json");

        // Node 1 dies at 1 s (its clients move to node 0); node 0 dies at 2.5 s and comes back with
        // the same key and store: meanwhile no node is up, and what was accepted waits in JetStream.
        var run = CliRun.Invoke("load", "--target", "relay-cluster", "--relay-nodes", "2", "--nats-nodes", "1",
            "--fault", "kill:relay:1@1s", "--fault", "restart:relay:0@2500ms",
            "--connections", "4", "--rate", "200", "--duration", "4s", "--warmup", "500ms", "--idle-connections", "40", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error + run.Output);
        var result = ResultFile.Read(resultPath);
        var metrics = result.Metrics;
        Assert.Equal("relay-cluster", result.Scenario.Target);
        Assert.True(metrics.Sent > 0);
        Assert.Equal(0, metrics.Lost);
        Assert.Equal(0, metrics.Rejected);
        Assert.Equal(metrics.Sent, metrics.Delivered);
        Assert.Equal(metrics.Sent, metrics.Accepted);
        Assert.NotNull(metrics.Duplicates);

        var cluster = result.Cluster!;
        Assert.Equal(2, cluster.RelayNodes);
        Assert.Equal(1, cluster.NatsNodes);
        Assert.Equal(1, cluster.StoreReplicas);
        Assert.Equal(0, cluster.Unanswered);
        Assert.Equal(metrics.Duplicates, cluster.RelayIdDuplicates + cluster.ReplayDuplicates);

        // Every connection lost its node once at least (two on node 1, then all four on node 0).
        Assert.True(cluster.Reconnects >= 4, $"reconnects {cluster.Reconnects}");
        Assert.Collection(
            cluster.Faults,
            kill =>
            {
                Assert.Equal(("kill:relay:1@1s", "kill", "relay", 1, 1.0), (kill.Fault, kill.Action, kill.Node, kill.Index, kill.ScheduledS));
                Assert.InRange(kill.AppliedS!.Value, 1.0, 2.0);
                Assert.Null(kill.Problem);
            },
            restart =>
            {
                Assert.Equal(("restart:relay:0@2.5s", "restart", "relay", 0, 2.5), (restart.Fault, restart.Action, restart.Node, restart.Index, restart.ScheduledS));
                Assert.InRange(restart.AppliedS!.Value, 2.5, 3.5);
                Assert.True(restart.ReadyS > restart.AppliedS);
                Assert.Null(restart.Problem);
            });

        // The relay processes' CPU is the target section; the NATS process's is the cluster's.
        Assert.Equal("perf relay x2", result.Target!.Process);
        Assert.True(result.Target.CpuUsPerMessage > 0);
        Assert.Equal("nats-server x1", cluster.Nats!.Process);
        Assert.True(cluster.Nats.CpuUsPerMessage > 0);
        Assert.Contains("fault kill:relay:1@1s: applied at", run.Output, StringComparison.Ordinal);

        // Idle clients were held on relay node 0 before the run (and dropped with its restart):
        // its memory per connection and the NATS CPU per message are what perf capacity plans from.
        Assert.InRange(result.Target.IdleConnections!.Value, 0, 40);
        Assert.True(result.Target.MemoryPerConnectionBytes >= 0);
        // A few idle clients carried to a million users' nodes: accepted only when asked, and then said.
        var plan = CliRun.Invoke("capacity", "--result", resultPath, "--users", "1000000", "--concurrent-fraction", "0.1", "--msgs-per-user-per-day", "100",
            "--peak-factor", "2", "--size", "256", "--slo", "p99=120s", "--reconnect-fraction", "0", "--max-extrapolation", "1000000");
        Assert.True(plan.ExitCode == PerfCommandLine.Ok, plan.Error);
        Assert.Matches(@"Result: \d+ relay node\(s\), bound by [a-zA-Z ]+; \d+ NATS node\(s\), bound by [a-zA-Z ]+\.", plan.Output);
        Assert.Contains("cpu          ceil(NATS cores needed / cores per node) = ceil(", plan.Output, StringComparison.Ordinal);
        Assert.Contains("Store measured: JetStream on 1 nats-server node(s), 1 replica(s), behind 2 relay node(s) (relay-cluster)", plan.Output, StringComparison.Ordinal);
        Assert.Contains("Warnings:", plan.Output, StringComparison.Ordinal); // the idle clients, carried far or dropped by the restart
    }

    [Theory]
    [InlineData("kill:relay", "expected ACTION:NODE:INDEX@TIME")]
    [InlineData("kill:relay:1", "expected ACTION:NODE:INDEX@TIME")]
    [InlineData("kill:relay:1:2@4s", "expected ACTION:NODE:INDEX@TIME")]
    [InlineData("stop:relay:1@4s", "the action is kill or restart and the node relay or nats")]
    [InlineData("kill:db:1@4s", "the action is kill or restart and the node relay or nats")]
    [InlineData("kill:relay:one@4s", "the node index must be a whole number from 0")]
    [InlineData("kill:relay:-1@4s", "the node index must be a whole number from 0")]
    [InlineData("kill:relay:1@soon", "the time after @ is a duration such as 4s")]
    [InlineData("kill:relay:1@", "the time after @ is a duration such as 4s")]
    [InlineData("kill:relay:3@4s", "there is no relay node 3 (--relay-nodes 3: nodes 0 to 2)")]
    [InlineData("kill:nats:5@4s", "there is no nats node 5 (--nats-nodes 3: nodes 0 to 2)")]
    [InlineData("kill:relay:0@12s", "12s is not inside the measured window (12s from the end of the warm-up)")]
    public void A_bad_fault_is_one_line_and_exit_2_before_anything_starts(string fault, string expected)
    {
        var run = CliRun.Invoke("load", "--target", "relay-cluster", "--duration", "12s", "--fault", fault);

        run.AssertBadInput(expected);
        Assert.StartsWith("perf load: --fault ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_options_belong_to_relay_cluster_and_its_size_is_bounded()
    {
        CliRun.Invoke("load", "--target", "relay-tcp", "--fault", "kill:relay:0@1s").AssertBadInput("--transport apply to --target relay-cluster only");
        CliRun.Invoke("load", "--target", "echo", "--relay-nodes", "2").AssertBadInput("apply to --target relay-cluster only");
        CliRun.Invoke("load", "--target", "relay-cluster", "--relay-nodes", "0").AssertBadInput("--relay-nodes must be 1 to 16 and --nats-nodes 1 to 7");
        CliRun.Invoke("load", "--target", "relay-cluster", "--nats-nodes", "8").AssertBadInput("--nats-nodes 1 to 7");
        CliRun.Invoke("load", "--target", "relay-cluster", "--target-process").AssertBadInput("--target-process does not apply to relay-cluster");
        CliRun.Invoke("load", "--target", "relay-cluster", "--store", "nats://127.0.0.1:4222").AssertBadInput("--store does not apply to relay-cluster");
        CliRun.Invoke("load", "--target", "relay-cluster", "--relay-key", "AAAA").AssertBadInput("--relay-key does not apply to relay-cluster");
    }
}
