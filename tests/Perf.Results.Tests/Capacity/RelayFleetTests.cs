using Perf.Results.Capacity;
using Perf.Results.Model;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Capacity;

/// <summary>
/// The relay fleet's terms, each worked by hand on the pinned fixture (38 µs per message at the
/// 16,875 msgs/s step, 20 µs per PING, 450 µs per handshake, 8,000 B + 3,000 B kernel per
/// connection, 300 MB resident with 19,000 idle, 2 cores and 24 GiB) for the 50 M users.
/// </summary>
public sealed class RelayFleetTests
{
    [Fact]
    public void The_fifty_million_plan_worked_by_hand_is_bound_by_connections_per_node()
    {
        // connections   = 50,000,000 × 0.1                                     = 5,000,000
        // peak          = 50,000,000 × 40 / 86,400 × 3                         = 69,444.4 msgs/s
        // keep-alives   = 5,000,000 / 60 s                                     = 83,333.3 PINGs/s
        // reconnects    = 10 % × 5,000,000 / 60 s                              = 8,333.3 handshakes/s
        // CPU           = 69,444.4 × 38 µs + 83,333.3 × 20 µs + 8,333.3 × 450 µs = 2.639 + 1.667 + 3.75 = 8.056 cores
        //                 / 0.7 = 11.508 cores -> ceil(11.508 / 2) = 6 nodes
        // memory        = 5,000,000 × (8,000 + 3,000) = 55,000,000,000 B over 24 GiB × 0.7 − (300,000,000 − 19,000 × 8,000)
        //               = 18,038,862,643.2 − 148,000,000 = 17,890,862,643.2 B usable per node -> ceil(3.07) = 4 nodes
        // connections   = min(200,000, 1,048,576 − 1,024) × 0.7 = 140,000 per node -> ceil(5e6 / 140,000) = 36 nodes
        var plan = CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion());

        Assert.Equal(5_000_000, plan.Connections, 6);
        Assert.Equal(69_444.444, plan.PeakMsgsPerS, 3);
        Assert.Equal(83_333.333, plan.KeepAlivesPerS, 3);
        Assert.Equal(8_333.333, plan.HandshakesPerS, 3);
        Assert.Equal(2.638889, plan.Relay.Term("CPU: messages").Value, 6);
        Assert.Equal(1.666667, plan.Relay.Term("CPU: keep-alives").Value, 6);
        Assert.Equal(3.75, plan.Relay.Term("CPU: reconnects").Value, 6);
        Assert.Equal(11.507937, plan.Relay.Term("CPU: cores needed").Value, 6);
        Assert.Equal(6, plan.Relay.Limit("cpu").Nodes);
        Assert.Equal(3_000, plan.Relay.Term("memory: kernel per connection").Value);
        Assert.Equal(148_000_000, plan.Relay.Term("memory: base").Value);
        Assert.Equal(55_000_000_000, plan.Relay.Term("memory: connections").Value, 3);
        Assert.Equal(17_890_862_643.2, plan.Relay.Term("memory: usable per node").Value, 1);
        Assert.Equal(4, plan.Relay.Limit("memory").Nodes);
        Assert.Equal(36, plan.Relay.Limit("connections").Nodes);
        Assert.Equal(36, plan.Nodes);
        Assert.Equal("connections", plan.Binding);
        Assert.Contains("ceil(5,000,000 / (--max-connections 200,000 × 0.7)) = ceil(5,000,000 / 140,000) = 36", plan.Relay.Limit("connections").Formula, StringComparison.Ordinal);
    }

    [Fact]
    public void Keep_alives_and_reconnects_each_add_their_cores()
    {
        var quiet = CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion() with { ReconnectFraction = 0, KeepAliveInterval = TimeSpan.FromHours(1000) });
        var busy = CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion() with { KeepAliveInterval = TimeSpan.FromSeconds(30) });

        Assert.Equal(0, quiet.Relay.Term("CPU: reconnects").Value);
        Assert.Equal("none planned (--reconnect-fraction 0)", quiet.Relay.Term("CPU: reconnects").Formula);

        // Twice the PINGs: 5,000,000 / 30 s × 20 µs = 3.333 cores.
        Assert.Equal(3.333333, busy.Relay.Term("CPU: keep-alives").Value, 6);
        Assert.True(busy.Relay.Term("CPU: cores needed").Value > quiet.Relay.Term("CPU: cores needed").Value + 3.75);
    }

    [Fact]
    public void A_keep_alive_not_measured_costs_a_message_and_the_plan_warns()
    {
        var result = ResultFixture.Pinned() with { Target = ResultFixture.Pinned().Target! with { CpuUsPerKeepAlive = null } };

        var plan = CapacityPlanner.Plan(result, PlanInputs.FiftyMillion());

        // 83,333.3 PINGs/s × 38 µs = 3.167 cores.
        Assert.Equal(3.166667, plan.Relay.Term("CPU: keep-alives").Value, 6);
        Assert.Contains(plan.Warnings, w => w.StartsWith("keep-alive CPU not measured", StringComparison.Ordinal));
    }

    [Fact]
    public void A_reconnect_term_without_a_measured_handshake_is_refused_saying_how_to_measure_it()
    {
        var result = ResultFixture.Pinned() with { Target = ResultFixture.Pinned().Target! with { ReconnectStorm = null } };

        var error = Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(result, PlanInputs.FiftyMillion()));

        Assert.Contains("--reconnect-storm", error.Message, StringComparison.Ordinal);
        Assert.Contains("--reconnect-fraction 0", error.Message, StringComparison.Ordinal);
        Assert.Equal(36, CapacityPlanner.Plan(result, PlanInputs.FiftyMillion() with { ReconnectFraction = 0 }).Nodes);
    }

    [Fact]
    public void Memory_counts_the_kernel_and_the_base_and_binds_on_small_nodes()
    {
        // 1 GiB nodes: 1,073,741,824 × 0.7 − 148,000,000 = 603,619,276.8 B usable; ceil(55e9 / 603,619,276.8) = ceil(91.1) = 92.
        var plan = CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion() with { MemoryPerNodeBytes = 1L << 30, MaxMemoryExtrapolation = 100 });

        Assert.Equal(603_619_276.8, plan.Relay.Term("memory: usable per node").Value, 1);
        Assert.Equal(92, plan.Nodes);
        Assert.Equal("memory", plan.Binding);

        // Without the kernel's 3,000 B: ceil(40e9 / 603,619,276.8) = ceil(66.3) = 67 nodes, and a warning that it is left out.
        var noKernel = ResultFixture.Pinned() with { Target = ResultFixture.Pinned().Target! with { KernelMemoryPerConnectionBytes = null } };
        var processOnly = CapacityPlanner.Plan(noKernel, PlanInputs.FiftyMillion() with { MemoryPerNodeBytes = 1L << 30, MaxMemoryExtrapolation = 100 });
        Assert.Equal(67, processOnly.Nodes);
        Assert.Contains(processOnly.Warnings, w => w.StartsWith("kernel socket memory not measured", StringComparison.Ordinal));
    }

    [Fact]
    public void A_node_that_cannot_hold_the_base_memory_is_refused()
    {
        var error = Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion() with { MemoryPerNodeBytes = 200_000_000 }));

        Assert.Contains("does not hold the relay's base memory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lower_descriptor_limit_than_max_connections_binds_instead()
    {
        // 20,000 descriptors: (20,000 − 1,024) × 0.7 = 13,283.2 per node -> ceil(5e6 / 13,283.2) = 377.
        var plan = CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion() with { DescriptorsPerNode = 20_000 });

        Assert.Equal(377, plan.Nodes);
        Assert.Equal("connections", plan.Binding);
        Assert.Contains("descriptors per node 20,000 − 1,024", plan.Relay.Limit("connections").Formula, StringComparison.Ordinal);
    }

    [Fact]
    public void The_measured_machines_descriptor_limit_is_named_when_a_node_needs_more()
    {
        var plan = CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion());

        Assert.Contains(plan.Assumptions, a => a.StartsWith("the measured machine allowed 20,000 descriptors per process", StringComparison.Ordinal));
    }

    [Fact]
    public void Cpu_binds_when_connections_and_memory_allow_more_per_node()
    {
        // 0.5 cores per node: ceil(11.508 / 0.5) = 24; 1,000,000 connections per node and 64 GiB: connections and memory need 8 and 2.
        var plan = CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion() with
        {
            CoresPerNode = 0.5, MaxConnectionsPerNode = 1_000_000, MemoryPerNodeBytes = 64L << 30, MaxMemoryExtrapolation = 100,
        });

        Assert.Equal(24, plan.Nodes);
        Assert.Equal("cpu", plan.Binding);
    }

    [Fact]
    public void N_plus_one_adds_a_spare_to_the_binding_count()
    {
        var plan = CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion() with { NPlusOne = true });

        Assert.Equal(36, plan.Relay.NodesNeeded);
        Assert.Equal(37, plan.Nodes);
    }

    [Fact]
    public void A_tiny_population_still_needs_one_node()
    {
        Assert.Equal(1, CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion() with { Users = 1 }).Nodes);
    }

    [Fact]
    public void Cpu_per_message_comes_from_the_fastest_step_that_ran_the_target_no_fuller_than_the_plan()
    {
        // The fastest passing step filled the core (17 µs, long batches); at 70 % usable the
        // 16,875 msgs/s step (0.64 of the core, 38 µs) is the one that applies.
        var plan = CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion());

        Assert.Equal(38, plan.CpuUsPerMessage, 9);
        Assert.Contains(plan.Assumptions, a => a.StartsWith("CPU per message from the 16.9 k msgs/s step", StringComparison.Ordinal) && a.Contains("57 k msgs/s", StringComparison.Ordinal));

        // A plan that fills cores (0 % headroom) takes the fastest step's 17 µs (58,824 msgs/s per
        // core), above the saturation's 56,953 on the one pinned CPU, so that rate wins: 17.56 µs.
        var full = CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion() with { Headroom = 0, MaxMemoryExtrapolation = 11 });
        Assert.Equal(1_000_000 / 17.0, full.Relay.Term("CPU: msgs/s per core").Value, 6);
        Assert.Equal(56_953, full.MsgsPerSPerCore, 6);
        Assert.Equal("saturation", full.MsgsPerSPerCoreSource);

        // When no passing step ran the target at most 70 % full, the fastest is used and called optimistic.
        var search = ResultFixture.Pinned().FindMax!;
        var onlyFull = ResultFixture.Pinned() with { FindMax = search with { Steps = [search.Steps[2], search.Steps[3]] } };
        var optimistic = CapacityPlanner.Plan(onlyFull, PlanInputs.FiftyMillion());
        Assert.Equal(1_000_000 / 17.0, optimistic.Relay.Term("CPU: msgs/s per core").Value, 6);
        Assert.Contains(optimistic.Assumptions, a => a.Contains("optimistic", StringComparison.Ordinal));
    }

    [Fact]
    public void A_saturation_reached_on_pinned_cores_cross_checks_and_the_lower_rate_wins()
    {
        // The fixture (Load): 2 cores at 40,000 msgs/s, 50 µs per message: 20,000 msgs/s per core.
        // Pinned to 4 CPUs and saturated at 40,000: 10,000 per core, below the CPU figure.
        var fourCpus = ResultFixture.Load() with { Target = ResultFixture.Load().Target! with { Cpus = "0-3" } };
        var inputs = PlanInputs.FiftyMillion() with { ReconnectFraction = 0, MaxMemoryExtrapolation = 100 };

        var plan = CapacityPlanner.Plan(fourCpus, inputs);

        Assert.Equal(10_000, plan.SaturationMsgsPerSPerCore!.Value, 6);
        Assert.Equal(10_000, plan.MsgsPerSPerCore, 6);
        Assert.Equal(100, plan.CpuUsPerMessage, 6);
        Assert.Equal("saturation", plan.MsgsPerSPerCoreSource);

        // Unpinned: no cross-check, and the plan says how to get one.
        var unpinned = CapacityPlanner.Plan(ResultFixture.Load(), inputs);
        Assert.Null(unpinned.SaturationMsgsPerSPerCore);
        Assert.Equal("cpu_us_per_message", unpinned.MsgsPerSPerCoreSource);
        Assert.Contains(unpinned.Assumptions, a => a.Contains("the target was not pinned", StringComparison.Ordinal));
    }

    [Fact]
    public void A_generator_bound_search_is_no_cross_check_and_is_named()
    {
        var bound = ResultFixture.Load() with { FindMax = ResultFixture.Load().FindMax! with { GeneratorBound = true }, Target = ResultFixture.Load().Target! with { Cpus = "0-3" } };

        var plan = CapacityPlanner.Plan(bound, PlanInputs.FiftyMillion() with { ReconnectFraction = 0, MaxMemoryExtrapolation = 100 });

        Assert.Null(plan.SaturationMsgsPerSPerCore);
        Assert.Contains(plan.Assumptions, a => a.Contains("load generator's limit", StringComparison.Ordinal));
    }

    [Fact]
    public void An_older_result_with_a_relay_section_still_plans_and_says_what_it_lacks()
    {
        // Old formula: msgs/s per core = max sustainable rate / cores used = 40,000 / 2 = 20,000.
        var plan = CapacityPlanner.Plan(ResultFixture.Legacy(), PlanInputs.FiftyMillion() with { ReconnectFraction = 0 });

        Assert.Equal(20_000, plan.MsgsPerSPerCore, 6);
        Assert.Equal(36, plan.Nodes);
        Assert.Contains(plan.Assumptions, a => a.Contains("an older result", StringComparison.Ordinal));
        Assert.Contains(plan.Warnings, w => w.Contains("does not record how many idle connections", StringComparison.Ordinal));
        Assert.Contains(plan.Warnings, w => w.StartsWith("the relay's base memory", StringComparison.Ordinal));
    }

    [Fact]
    public void The_committed_relay_baseline_still_plans()
    {
        var baseline = Perf.Results.Files.ResultFile.Read(Path.Combine(Path.GetDirectoryName(SchemaFile.Path())!, "..", "baseline", "load", "relay-tcp-find-max.json"));

        var plan = CapacityPlanner.Plan(baseline, PlanInputs.FiftyMillion() with { ReconnectFraction = 0 });

        Assert.Equal(baseline.FindMax!.MaxSustainableRate / baseline.Relay!.CoresUsed, plan.MsgsPerSPerCore, 3);
        Assert.Equal("connections", plan.Binding);
    }

    [Fact]
    public void A_memory_store_relay_holds_its_offline_recipients_messages_in_memory_when_that_was_measured()
    {
        // 200,000 users, 6 minutes held: 30,000 held × 600 B = 18,000,000 B beside 20,000 × 11,000 = 220,000,000 B.
        var pinned = ResultFixture.Pinned();
        var measured = pinned with { Target = pinned.Target! with { HeldMessages = new HeldMessages { Messages = 10_000, MemoryPerMessageBytes = 600 } } };

        var plan = CapacityPlanner.Plan(measured, PlanInputs.SmallCluster());

        Assert.Equal(18_000_000, plan.Relay.Term("memory: held messages").Value, 3);
        Assert.Contains("ceil((210 MiB + 17.2 MiB) / 16.7 GiB) = 1", plan.Relay.Limit("memory").Formula, StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Warnings, w => w.Contains("held message", StringComparison.Ordinal));

        // Not measured: left out, and said.
        var unmeasured = CapacityPlanner.Plan(pinned, PlanInputs.SmallCluster());
        Assert.Equal(0, unmeasured.Relay.Term("memory: held messages").Value);
        Assert.Contains(unmeasured.Warnings, w => w.StartsWith("a memory-store relay keeps every held message in its own memory", StringComparison.Ordinal));

        // A week of the 50 M users' messages in relay memory: memory binds, far past the connections.
        var week = CapacityPlanner.Plan(measured, PlanInputs.FiftyMillion() with { MaxMemoryExtrapolation = 1e6 });
        Assert.Equal("memory", week.Binding);
    }
}
