using Perf.Cli.Tests.Results;
using Perf.Load.Processes;
using Perf.Load.Targets.Cluster;
using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Testing.Folders;

namespace Perf.Cli.Tests.Load;

/// <summary>
/// <c>perf load --target relay-cluster</c> in every mode the single relay has: the WebSocket
/// gateway of each node, sealed sender with padding, a find-max search, and
/// <c>--fault-schedule random:EVERY</c> restarting nodes picked by a recorded seed. Real
/// nats-server and <c>perf relay</c> processes, two relays on one NATS node, a few seconds each;
/// skipped, with the reason, where nats-server is not installed.
/// </summary>
public sealed class RelayClusterModesLoadTests : TempFolder
{
    private static readonly string[] SmallCluster = ["load", "--target", "relay-cluster", "--relay-nodes", "2", "--nats-nodes", "1", "--connections", "4", "--warmup", "500ms"];

    [SkippableFact]
    public void Over_each_nodes_websocket_gateway_every_message_arrives_and_idle_clients_are_spread_over_the_nodes()
    {
        var result = Run("ws.json", "--transport", "ws", "--rate", "200", "--duration", "2s", "--idle-connections", "20");

        AssertAllDelivered(result);
        var cluster = result.Cluster!;
        Assert.Equal("ws", cluster.Transport);

        // Each node counted its own connections: the 4 clients and 20 idle ones, half on each node.
        var perNode = Assert.IsAssignableFrom<IReadOnlyList<long?>>(cluster.ConnectionsPerNode);
        Assert.Equal(2, perNode.Count);
        Assert.Equal(24L, perNode.Sum(c => c!.Value));
        Assert.Equal(perNode[0], perNode[1]);
        Assert.Equal(20L, result.Target!.IdleConnections);
    }

    [SkippableFact]
    public void With_sealed_sender_and_padding_every_message_arrives_and_each_client_holds_an_anonymous_connection_too()
    {
        var result = Run("sealed.json", "--sealed-sender", "--padding", "padme", "--rate", "200", "--duration", "2s");

        AssertAllDelivered(result);
        Assert.Equal("tcp", result.Cluster!.Transport);

        // Sealed sender: each client sends on an anonymous connection beside its authenticated one.
        Assert.Equal(8L, result.Cluster.ConnectionsPerNode!.Sum(c => c!.Value));
        Assert.Contains("--sealed-sender", result.Command, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Find_max_steps_the_rate_over_the_cluster_and_writes_its_search()
    {
        var result = Run("find-max.json", "--find-max", "--slo", "p99=2s", "--rate", "100", "--step-duration", "1s");

        var search = Assert.IsType<FindMax>(result.FindMax);
        Assert.NotEmpty(search.Steps);
        Assert.Equal(100, search.Steps[0].Rate);
        Assert.True(result.Metrics.Sent > 0);
        Assert.Equal("nats-server x1", result.Cluster!.Nats!.Process);
    }

    [SkippableFact]
    public void A_random_fault_schedule_restarts_the_nodes_its_seed_picks_loses_nothing_and_records_the_seed()
    {
        var result = Run("schedule.json", "--fault-schedule", "random:2s", "--fault-seed", "7", "--rate", "200", "--duration", "5s");

        AssertAllDelivered(result);
        var cluster = result.Cluster!;
        Assert.Equal(("random:2s", 7), (cluster.FaultSchedule, cluster.FaultSeed));

        // The same seed, cluster and window give the same picks: the run recorded exactly those, in
        // order; each it applied came back. On a busy machine a restart can take longer than the
        // 2 s to the next pick (a relay's start beside a full build took over 3 s), so a later
        // pick may fall after the window: recorded, not applied, and no node killed for it.
        var expected = new RandomFaultSchedule(TimeSpan.FromSeconds(2), 7).Faults(2, 1, TimeSpan.FromSeconds(5)).Select(f => f.ToString()).ToArray();
        Assert.Equal(2, expected.Length);
        Assert.Equal(expected, cluster.Faults.Select(f => f.Fault).ToArray());
        Assert.NotNull(cluster.Faults[0].AppliedS);
        Assert.All(cluster.Faults, fault =>
        {
            Assert.Equal("restart", fault.Action);
            if (fault.AppliedS is null)
            {
                Assert.Equal("the run ended before its time", fault.Problem);
                return;
            }

            Assert.Null(fault.Problem);
            Assert.True(fault.AppliedS >= fault.ScheduledS, $"{fault.Fault} applied at {fault.AppliedS}");
            Assert.True(fault.ReadyS > fault.AppliedS, $"{fault.Fault} back at {fault.ReadyS}");
        });
    }

    private static void AssertAllDelivered(PerfResult result)
    {
        var metrics = result.Metrics;
        Assert.Equal("relay-cluster", result.Scenario.Target);
        Assert.True(metrics.Sent > 0);
        Assert.Equal(0, metrics.Lost);
        Assert.Equal(metrics.Sent, metrics.Delivered);
        Assert.Equal(0, result.Cluster!.Unanswered);
    }

    private PerfResult Run(string name, params string[] arguments)
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        var path = Path.Combine(Folder, name);
        var run = CliRun.Invoke([.. SmallCluster, .. arguments, "--out", path]);
        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error + run.Output);
        return ResultFile.Read(path);
    }
}
