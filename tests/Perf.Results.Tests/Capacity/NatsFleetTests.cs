using Perf.Results.Capacity;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Capacity;

/// <summary>
/// NATS nodes from the relay-cluster fixture (3 NATS nodes, 3 replicas: 200 µs of NATS CPU per
/// message, 600 B per online identity over 5,000, 150 B of memory and 420 B of disk per held
/// message over 10,000, 300 MB resident together) for 200,000 users whose held messages wait 6 minutes.
/// </summary>
public sealed class NatsFleetTests
{
    [Fact]
    public void Each_nats_term_worked_by_hand()
    {
        // CPU      = 277.78 × 200 µs / 0.7 = 0.0794 cores -> ceil(0.0794 / 2) = 1
        // memory   = 20,000 × 600 B + 30,000 × 3 × 150 B = 12,000,000 + 13,500,000 B;
        //            base per node = 300,000,000 / 3 = 100,000,000 -> ceil(25.5e6 / (8e9 × 0.7 − 1e8)) = 1
        // disk     = 30,000 × 420 B × 3 = 37,800,000 B; per node = 37.8e6 / 3 / 0.7 = 18,000,000 B
        // nodes    = max(replicas 3, 1, 1) = 3, bound by replicas
        var plan = CapacityPlanner.Plan(ResultFixture.Cluster(), PlanInputs.SmallCluster());
        var nats = plan.Nats!;

        Assert.Equal(30_000, plan.Load.Single(t => t.Name == "held messages").Value, 6);
        Assert.Equal(0.079365, nats.Term("CPU: cores needed").Value, 6);
        Assert.Equal(1, nats.Limit("cpu").Nodes);
        Assert.Equal(12_000_000, nats.Term("memory: online identities").Value, 3);
        Assert.Equal(13_500_000, nats.Term("memory: held messages").Value, 3);
        Assert.Equal(100_000_000, nats.Term("memory: base per node").Value, 3);
        Assert.Equal(1, nats.Limit("memory").Nodes);
        Assert.Equal(37_800_000, nats.Term("disk needed").Value, 3);
        Assert.Equal(18_000_000, nats.Term("disk per node").Value, 3);
        Assert.Equal(3, nats.Nodes);
        Assert.Equal("replicas", nats.Binding);
        Assert.Contains("JetStream on 3 nats-server node(s), 3 replica(s)", plan.Store, StringComparison.Ordinal);
        Assert.Contains(plan.Assumptions, a => a.StartsWith("NATS memory per held message was read seconds after", StringComparison.Ordinal) && a.Contains("an upper bound", StringComparison.Ordinal));
    }

    [Fact]
    public void Disk_per_node_sizes_the_fleet_when_given()
    {
        // ceil(37,800,000 / (10,000,000 × 0.7)) = ceil(5.4) = 6 nodes, bound by disk; N+1 makes 7.
        var plan = CapacityPlanner.Plan(ResultFixture.Cluster(), PlanInputs.SmallCluster() with { DiskPerNodeBytes = 10_000_000, NPlusOne = true });

        Assert.Equal(6, plan.Nats!.Limit("disk").Nodes);
        Assert.Equal("disk", plan.Nats!.Binding);
        Assert.Equal(7, plan.Nats.Nodes);
        Assert.DoesNotContain(plan.Nats.Terms, t => t.Name == "disk per node");
    }

    [Fact]
    public void Nats_cpu_binds_on_small_nodes()
    {
        // 0.01 cores per node: ceil(0.079365 / 0.01) = 8 NATS nodes.
        var plan = CapacityPlanner.Plan(ResultFixture.Cluster(), PlanInputs.SmallCluster() with { CoresPerNode = 0.01 });

        Assert.Equal(8, plan.Nats!.Nodes);
        Assert.Equal("cpu", plan.Nats!.Binding);
    }

    [Fact]
    public void Figures_nats_did_not_measure_are_left_out_with_a_warning()
    {
        var cluster = ResultFixture.Cluster();
        var bare = cluster with { Cluster = cluster.Cluster! with { Nats = cluster.Cluster.Nats! with { MemoryPerConnectionBytes = null, HeldMessages = null, ResidentBytes = null } } };

        var plan = CapacityPlanner.Plan(bare, PlanInputs.SmallCluster());

        Assert.Equal(0, plan.Nats!.Term("memory: online identities").Value);
        Assert.DoesNotContain(plan.Nats!.Terms, t => t.Name == "disk needed");
        Assert.Contains(plan.Warnings, w => w.StartsWith("NATS memory per online identity not measured", StringComparison.Ordinal));
        Assert.Contains(plan.Warnings, w => w.StartsWith("NATS memory and disk per held message not measured", StringComparison.Ordinal));
    }

    [Fact]
    public void A_memory_store_needs_no_nats_and_says_so()
    {
        var plan = CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion());

        Assert.Null(plan.Nats);
        Assert.StartsWith("none: the measured relay kept its mailboxes in its own memory", plan.NatsNote, StringComparison.Ordinal);
        Assert.StartsWith("the relay's memory", plan.Store, StringComparison.Ordinal);
    }

    [Fact]
    public void A_jetstream_store_that_was_not_measured_is_never_planned_as_a_memory_store()
    {
        var durable = ResultFixture.Pinned() with { Command = ResultFixture.Pinned().Command + " --store nats://10.0.0.5:4222" };

        var plan = CapacityPlanner.Plan(durable, PlanInputs.FiftyMillion());

        Assert.Null(plan.Nats);
        Assert.Equal("not planned: the result's JetStream store was not measured", plan.NatsNote);
        Assert.Contains("JetStream at --store nats://10.0.0.5:4222", plan.Store, StringComparison.Ordinal);
        Assert.Contains(plan.Warnings, w => w.Contains("a durable fleet needs them", StringComparison.Ordinal));
        Assert.DoesNotContain("needs no NATS", plan.NatsNote, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relay_measured_with_its_nats_server_beside_it_plans_nats_from_the_store_section()
    {
        // 69,444.4 msgs/s × 100 µs / 0.7 = 9.92 cores -> ceil(9.92 / 2) = 5 NATS nodes, bound by CPU;
        // the nats-server shared the relay's CPU 1: 0.64 + 0.3 = 0.94 of it, oversubscribed.
        var pinned = ResultFixture.Pinned();
        var durable = pinned with
        {
            Command = pinned.Command + " --store nats",
            Store = new Perf.Results.Model.TargetUsage { Process = "nats-server", Cpus = "1", CoresUsed = 0.3, CpuUsPerMessage = 100, IdleConnections = 19_000, MemoryPerConnectionBytes = 300, ResidentBytes = 50_000_000 },
        };

        // 5,000,000 identities on 5 NATS nodes: 1,000,000 each, 52.6× the 19,000 measured; refused unless allowed.
        Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(durable, PlanInputs.FiftyMillion()));
        var plan = CapacityPlanner.Plan(durable, PlanInputs.FiftyMillion() with { MaxMemoryExtrapolation = 53 });

        Assert.Contains(plan.Warnings, w => w.StartsWith("NATS memory per online identity was measured over 19,000 idle connections and is planned at 1,000,000 per node: 52.6× as many", StringComparison.Ordinal));
        Assert.Equal("JetStream on a nats-server beside the relay (--store nats), 1 replica", plan.Store);
        var nats = plan.Nats!;
        Assert.Equal(9.920635, nats.Term("CPU: cores needed").Value, 6);
        Assert.Equal(5, nats.Nodes);
        Assert.Equal("cpu", nats.Binding);
        Assert.Equal(5_000_000 * 300.0, nats.Term("memory: online identities").Value, 3);
        Assert.Contains(plan.Warnings, w => w.StartsWith("oversubscribed: perf relay 0.64, nats-server 0.3 shared CPUs 1", StringComparison.Ordinal));
    }
}
