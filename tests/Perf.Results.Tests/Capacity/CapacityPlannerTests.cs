using Perf.Results.Capacity;
using Perf.Results.Model;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Capacity;

/// <summary>The fixture result: 40000 msg/s sustainable at p99 ≤ 50 ms using 2 cores, 20000 B per connection, 256-byte messages.</summary>
public sealed class CapacityPlannerTests
{
    private static readonly Slo P99At50Ms = new() { Percentile = "p99", ThresholdUs = 50_000 };

    private static CapacityInputs Inputs() => new()
    {
        Users = 10_000_000,
        ConcurrentFraction = 0.1,
        MessagesPerUserPerDay = 43.2,
        PeakFactor = 2,
        SizeBytes = 256,
        Slo = P99At50Ms,
        Headroom = 0.2,
        CoresPerNode = 8,
        MemoryPerNodeBytes = 16_000_000_000,
    };

    [Fact]
    public void Memory_bound_example_worked_by_hand()
    {
        // connections   = 10,000,000 × 0.1                      = 1,000,000
        // peak msg/s    = 10,000,000 × 43.2 / 86,400 × 2        = 5,000 × 2 = 10,000
        // msg/s/core    = 40,000 / 2                            = 20,000
        // cores needed  = 10,000 / (20,000 × 0.8)               = 0.625  -> ceil(0.625 / 8)  = 1 node
        // memory needed = 1,000,000 × 20,000 B / 0.8            = 25,000,000,000 B -> ceil(25e9 / 16e9) = ceil(1.5625) = 2 nodes
        var plan = CapacityPlanner.Plan(ResultFixture.Load(), Inputs());

        Assert.Equal(1_000_000, plan.Connections, 6);
        Assert.Equal(10_000, plan.PeakMsgsPerS, 6);
        Assert.Equal(20_000, plan.MsgsPerSPerCore, 6);
        Assert.Equal(0.625, plan.CoresNeeded, 9);
        Assert.Equal(25_000_000_000, plan.MemoryNeededBytes, 0);
        Assert.Equal(1, plan.NodesForCpu);
        Assert.Equal(2, plan.NodesForMemory);
        Assert.Equal(2, plan.Nodes);
        Assert.Equal("memory", plan.Binding);
        Assert.Contains(plan.Formulas, f => f.Contains("= 10,000", StringComparison.Ordinal) && f.StartsWith("peak msg/s", StringComparison.Ordinal));
    }

    [Fact]
    public void Cpu_bound_example_with_the_measured_machines_cores_worked_by_hand()
    {
        // connections   = 100,000,000 × 0.01                    = 1,000,000
        // peak msg/s    = 100,000,000 × 864 / 86,400 × 3        = 1,000,000 × 3 = 3,000,000
        // cores needed  = 3,000,000 / (20,000 × 0.75)           = 200 -> 200 / 2 cores per node (the result's) = 100 nodes
        // memory needed = 1,000,000 × 20,000 / 0.75             = 26,666,666,666.7 B -> ceil(26.67e9 / 64e9) = 1 node
        var inputs = Inputs() with
        {
            Users = 100_000_000, ConcurrentFraction = 0.01, MessagesPerUserPerDay = 864, PeakFactor = 3, Headroom = 0.25,
            CoresPerNode = null, MemoryPerNodeBytes = 64_000_000_000,
        };

        var plan = CapacityPlanner.Plan(ResultFixture.Load(), inputs);

        Assert.Equal(3_000_000, plan.PeakMsgsPerS, 6);
        Assert.Equal(200, plan.CoresNeeded, 9);
        Assert.Equal(2, plan.CoresPerNode);
        Assert.Equal(100, plan.NodesForCpu);
        Assert.Equal(1, plan.NodesForMemory);
        Assert.Equal(100, plan.Nodes);
        Assert.Equal("cpu", plan.Binding);
    }

    [Fact]
    public void A_tiny_population_still_needs_one_node()
    {
        var plan = CapacityPlanner.Plan(ResultFixture.Load(), Inputs() with { Users = 1 });

        Assert.Equal(1, plan.Nodes);
    }

    [Fact]
    public void A_stricter_measured_slo_serves_a_looser_request()
    {
        // Measured at p99 ≤ 50 ms; asking p90 ≤ 100 ms is implied by it.
        var plan = CapacityPlanner.Plan(ResultFixture.Load(), Inputs() with { Slo = new Slo { Percentile = "p90", ThresholdUs = 100_000 } });

        Assert.Equal(2, plan.Nodes);
    }

    [Theory]
    [InlineData("p99=10ms")]
    [InlineData("p999=50ms")]
    public void A_result_measured_at_a_weaker_slo_is_refused(string asked)
    {
        var error = Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(ResultFixture.Load(), Inputs() with { Slo = Slo.Parse(asked) }));

        Assert.Contains("weaker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Results_without_a_target_section_or_its_memory_are_refused_saying_how_to_measure_them()
    {
        Assert.Contains("--target-process", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(ResultFixture.Load() with { Target = null }, Inputs())).Message, StringComparison.Ordinal);
        var noMemory = ResultFixture.Load() with { Target = ResultFixture.Load().Target! with { MemoryPerConnectionBytes = null } };
        Assert.Contains("--idle-connections", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(noMemory, Inputs())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cores_are_planned_from_cpu_per_message_and_the_plan_says_so()
    {
        // 25 µs per message: 40,000 msg/s per core; cores = 10,000 / (40,000 × 0.8) = 0.3125.
        var cheaper = ResultFixture.Load() with { Target = ResultFixture.Load().Target! with { CpuUsPerMessage = 25 } };

        var plan = CapacityPlanner.Plan(cheaper, Inputs());

        Assert.Equal(40_000, plan.MsgsPerSPerCore, 6);
        Assert.Equal(0.3125, plan.CoresNeeded, 9);
        Assert.Equal("cpu_us_per_message", plan.MsgsPerSPerCoreSource);
        Assert.Null(plan.SaturationMsgsPerSPerCore);
        Assert.Contains(plan.Formulas, f => f.StartsWith("msg/s per core (CPU) = 1,000,000 / CPU µs per message = 1,000,000 / 25 = 40,000", StringComparison.Ordinal));
        Assert.Contains(plan.Assumptions, a => a.Contains("the target was not pinned", StringComparison.Ordinal));
    }

    [Fact]
    public void A_saturation_reached_on_pinned_cores_cross_checks_and_the_lower_rate_wins()
    {
        // Pinned to 4 CPUs and saturated at 40,000 msg/s: 10,000 per core, below the 20,000 the CPU figure allows.
        var pinned = ResultFixture.Load() with { Target = ResultFixture.Load().Target! with { Cpus = "0-3" } };

        var plan = CapacityPlanner.Plan(pinned, Inputs());

        Assert.Equal(10_000, plan.SaturationMsgsPerSPerCore!.Value, 6);
        Assert.Equal(10_000, plan.MsgsPerSPerCore, 6);
        Assert.Equal("saturation", plan.MsgsPerSPerCoreSource);

        // On one pinned CPU the saturation rate (40,000) is above the CPU figure (20,000): CPU wins.
        var onePinned = ResultFixture.Load() with { Target = ResultFixture.Load().Target! with { Cpus = "1" } };
        Assert.Equal("cpu_us_per_message", CapacityPlanner.Plan(onePinned, Inputs()).MsgsPerSPerCoreSource);
    }

    [Fact]
    public void Cpu_per_message_comes_from_the_fastest_step_that_ran_the_target_no_fuller_than_the_plan()
    {
        // Pinned to 1 CPU, as a real find-max: the fastest passing step filled the core (17 µs, long
        // batches); at 80% usable the 16,875 msg/s step (0.64 of the core, 38 µs) is the one that applies.
        var search = ResultFixture.Load().FindMax! with
        {
            Steps =
            [
                new FindMaxStep { Rate = 5_000, DeliveredRate = 5_000, P50Us = 100, P99Us = 900, P999Us = 2_000, Passed = true, TargetCores = 0.2, TargetCpuUsPerMessage = 41 },
                new FindMaxStep { Rate = 16_875, DeliveredRate = 16_875, P50Us = 100, P99Us = 900, P999Us = 2_000, Passed = true, TargetCores = 0.64, TargetCpuUsPerMessage = 38 },
                new FindMaxStep { Rate = 56_953, DeliveredRate = 56_953, P50Us = 400, P99Us = 4_000, P999Us = 20_000, Passed = true, TargetCores = 0.98, TargetCpuUsPerMessage = 17.2 },
                new FindMaxStep { Rate = 85_430, DeliveredRate = 80_000, P50Us = 800, P99Us = 90_000, P999Us = 99_000, Passed = false, TargetCores = 0.97, TargetCpuUsPerMessage = 11.4 },
            ],
            MaxSustainableRate = 56_953,
            GeneratorBound = true,
        };
        var result = ResultFixture.Load() with { FindMax = search, Target = ResultFixture.Load().Target! with { Cpus = "1", CoresUsed = 0.98, CpuUsPerMessage = 17.2 } };

        var plan = CapacityPlanner.Plan(result, Inputs());

        Assert.Equal(38, plan.CpuUsPerMessage, 9);
        Assert.Equal(1_000_000 / 38.0, plan.MsgsPerSPerCore, 6);
        Assert.Contains(plan.Assumptions, a => a.StartsWith("CPU per message from the 16,875 msg/s step", StringComparison.Ordinal) && a.Contains("56,953 msg/s", StringComparison.Ordinal));
        Assert.Contains(plan.Assumptions, a => a.StartsWith("measured: perf relay used 38 µs of CPU per message (0.64 cores at 16,875 msg/s", StringComparison.Ordinal));

        // With 5% headroom the full core is still too full, and no step fits under 95% but the
        // 16,875 one; with 0% headroom (a plan that fills cores) the fastest step applies.
        Assert.Equal(17.2, CapacityPlanner.Plan(result, Inputs() with { Headroom = 0 }).CpuUsPerMessage, 9);

        // When no passing step ran the target at most (1 − headroom) full, the fastest step's
        // figure is used and the plan calls it optimistic.
        var onlyFull = result with { FindMax = search with { Steps = [search.Steps[2], search.Steps[3]] } };
        var optimistic = CapacityPlanner.Plan(onlyFull, Inputs());
        Assert.Equal(17.2, optimistic.CpuUsPerMessage, 9);
        Assert.Contains(optimistic.Assumptions, a => a.Contains("optimistic", StringComparison.Ordinal));
    }

    [Fact]
    public void A_generator_bound_search_is_no_cross_check()
    {
        var bound = ResultFixture.Load() with { FindMax = ResultFixture.Load().FindMax! with { GeneratorBound = true }, Target = ResultFixture.Load().Target! with { Cpus = "0-3" } };

        var plan = CapacityPlanner.Plan(bound, Inputs());

        Assert.Null(plan.SaturationMsgsPerSPerCore);
        Assert.Equal(20_000, plan.MsgsPerSPerCore, 6);
    }

    [Fact]
    public void A_single_run_plans_from_cpu_per_message_when_it_met_the_slo_itself()
    {
        var single = ResultFixture.Load() with { FindMax = null };

        Assert.Equal(2, CapacityPlanner.Plan(single, Inputs()).Nodes);
        var missed = Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(single, Inputs() with { Slo = Slo.Parse("p99=500us") }));
        Assert.Contains("p99 was 900 us", missed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_older_result_with_a_relay_section_plans_as_before()
    {
        // Old formula: msg/s per core = max sustainable rate / cores used = 40,000 / 2 = 20,000.
        var plan = CapacityPlanner.Plan(ResultFixture.Legacy(), Inputs());

        Assert.Equal(20_000, plan.MsgsPerSPerCore, 6);
        Assert.Equal(2, plan.Nodes);
        Assert.Contains(plan.Assumptions, a => a.Contains("an older result", StringComparison.Ordinal));
    }

    [Fact]
    public void The_committed_relay_baseline_still_plans()
    {
        var baseline = Perf.Results.Files.ResultFile.Read(BaselineFile());

        var plan = CapacityPlanner.Plan(baseline, Inputs());

        // Its relay section: 0.718 cores at 102,516 msg/s, so the old per-core figure, 142,787 msg/s.
        Assert.Equal(baseline.FindMax!.MaxSustainableRate / baseline.Relay!.CoresUsed, plan.MsgsPerSPerCore, 3);
        Assert.Equal("cpu_us_per_message", plan.MsgsPerSPerCoreSource);
    }

    internal static string BaselineFile() => Path.Combine(Path.GetDirectoryName(SchemaFile.Path())!, "..", "baseline", "load", "relay-tcp-find-max.json");

    [Fact]
    public void A_result_without_recorded_cores_needs_cores_per_node()
    {
        var k6 = ResultFixture.Load() with { Tool = "k6", Environment = new EnvironmentInfo { Backend = "k6-webcrypto", Cipher = "aes-256-gcm", MemoryBytes = 1L << 34 } };

        Assert.Contains("--cores-per-node", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(k6, Inputs() with { CoresPerNode = null })).Message, StringComparison.Ordinal);
        Assert.Equal(16, CapacityPlanner.Plan(k6, Inputs() with { CoresPerNode = 16 }).CoresPerNode);
    }

    [Fact]
    public void A_generator_bound_search_is_named_among_the_assumptions()
    {
        var bound = ResultFixture.Load() with { FindMax = ResultFixture.Load().FindMax! with { GeneratorBound = true } };

        Assert.Contains(CapacityPlanner.Plan(bound, Inputs()).Assumptions, a => a.Contains("load generator's limit", StringComparison.Ordinal));
        Assert.DoesNotContain(CapacityPlanner.Plan(ResultFixture.Load(), Inputs()).Assumptions, a => a.Contains("load generator's limit", StringComparison.Ordinal));
    }

    [Fact]
    public void Larger_messages_than_measured_are_refused()
    {
        Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(ResultFixture.Load(), Inputs() with { SizeBytes = 257 }));
    }

    [Fact]
    public void Out_of_range_inputs_are_refused_naming_the_option()
    {
        var result = ResultFixture.Load();
        Assert.StartsWith("--users", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(result, Inputs() with { Users = 0 })).Message, StringComparison.Ordinal);
        Assert.StartsWith("--concurrent-fraction", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(result, Inputs() with { ConcurrentFraction = 1.5 })).Message, StringComparison.Ordinal);
        Assert.StartsWith("--msgs-per-user-per-day", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(result, Inputs() with { MessagesPerUserPerDay = -1 })).Message, StringComparison.Ordinal);
        Assert.StartsWith("--peak-factor", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(result, Inputs() with { PeakFactor = 0.5 })).Message, StringComparison.Ordinal);
        Assert.StartsWith("--size", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(result, Inputs() with { SizeBytes = 0 })).Message, StringComparison.Ordinal);
        Assert.StartsWith("--headroom", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(result, Inputs() with { Headroom = 1 })).Message, StringComparison.Ordinal);
        Assert.StartsWith("--cores-per-node", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(result, Inputs() with { CoresPerNode = 0 })).Message, StringComparison.Ordinal);
        Assert.StartsWith("--memory-per-node", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(result, Inputs() with { MemoryPerNodeBytes = -5 })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relay_cluster_result_plans_nats_nodes_from_their_cpu_per_message_worked_by_hand()
    {
        // peak msg/s       = 10,000 (as in the memory-bound example)
        // NATS cores       = 10,000 × 400 µs / 1,000,000 / 0.8 = 5  -> ceil(5 / 8) = 1, but at least 3 (replicas)
        // with 2 cores/node: ceil(5 / 2) = 3; with 1 core/node: ceil(5 / 1) = 5
        var nats = new TargetUsage { Process = "nats-server x3", CoresUsed = 0.4, CpuUsPerMessage = 400 };
        var cluster = ResultFixture.Load() with
        {
            Cluster = new ClusterRun
            {
                RelayNodes = 3, NatsNodes = 3, StoreReplicas = 3, Faults = [], Nats = nats,
                Reconnects = 0, Resent = 0, RetriedRejections = 0, RelayIdDuplicates = 0, ReplayDuplicates = 0, Unanswered = 0,
            },
        };

        var plan = CapacityPlanner.Plan(cluster, Inputs());
        Assert.Equal(400, plan.NatsCpuUsPerMessage);
        Assert.Equal(5, plan.NatsCoresNeeded!.Value, 9);
        Assert.Equal(3, plan.NatsNodes);
        Assert.Equal(2, plan.Nodes); // the relay nodes are planned as before
        Assert.Contains(plan.Formulas, f => f.StartsWith("NATS nodes = max(replicas, ceil(NATS cores needed / cores per node)) = max(3, ceil(5 / 8)) = 3", StringComparison.Ordinal));
        Assert.Contains(plan.Assumptions, a => a.Contains("400 µs of CPU per message (JetStream, 3 replica(s)", StringComparison.Ordinal));
        Assert.Equal(5, CapacityPlanner.Plan(cluster, Inputs() with { CoresPerNode = 1 }).NatsNodes);

        var single = CapacityPlanner.Plan(ResultFixture.Load(), Inputs());
        Assert.Null(single.NatsNodes);
        Assert.Contains(single.Assumptions, a => a.StartsWith("NATS nodes: not planned", StringComparison.Ordinal));
    }
}
