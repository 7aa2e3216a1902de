using Perf.Results.Capacity;
using Perf.Results.Model;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Capacity;

/// <summary>What makes a measurement a weak basis: an SLO it did not meet (refused), an oversubscribed machine, a p99 near the SLO, memory carried far beyond what was measured.</summary>
public sealed class MeasurementWarningTests
{
    [Fact]
    public void A_pinned_target_and_generator_on_their_own_cpus_raise_no_warning_of_contention()
    {
        // Only the memory store's held messages, which the fixture did not measure.
        var warning = Assert.Single(CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion()).Warnings);
        Assert.StartsWith("a memory-store relay keeps every held message", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Processes_that_filled_the_machine_unpinned_are_called_oversubscribed()
    {
        // Relays 1.0 + generator 0.5 + NATS 0.4 = 1.9 of 2 cores (at least 90 %), seven processes.
        var cluster = ResultFixture.Cluster();
        var full = cluster with { Target = cluster.Target! with { CoresUsed = 1.0 }, Generator = cluster.Generator! with { CoresUsed = 0.5 } };

        var plan = CapacityPlanner.Plan(full, PlanInputs.SmallCluster());

        Assert.Contains(plan.Warnings, w => w.StartsWith("oversubscribed: 7 processes (perf relay x3 1, the generator 0.5, nats-server x3 0.4) used 1.9 of the machine's 2 cores", StringComparison.Ordinal));
        Assert.DoesNotContain(CapacityPlanner.Plan(cluster, PlanInputs.SmallCluster()).Warnings, w => w.StartsWith("oversubscribed", StringComparison.Ordinal));
    }

    [Fact]
    public void Processes_pinned_to_one_cpu_together_are_called_oversubscribed_when_it_was_full()
    {
        // The 16,875 msgs/s step's target (0.64) and the generator (0.9) on CPU 1: 1.54 of 1.
        var shared = ResultFixture.Pinned() with { Generator = ResultFixture.Pinned().Generator! with { Cpus = "1" } };

        var plan = CapacityPlanner.Plan(shared, PlanInputs.FiftyMillion());

        Assert.Contains(plan.Warnings, w => w.StartsWith("oversubscribed: perf relay 0.64, the generator 0.9 shared CPUs 1 and used 1.54 of its 1 core(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_single_run_whose_p99_sat_within_ten_percent_of_the_slo_is_warned_about()
    {
        var near = ResultFixture.Pinned() with { FindMax = null, Metrics = ResultFixture.Load(p99: 46_000).Metrics };
        var clear = ResultFixture.Pinned() with { FindMax = null, Metrics = ResultFixture.Load(p99: 44_000).Metrics };

        Assert.Contains(CapacityPlanner.Plan(near, PlanInputs.FiftyMillion()).Warnings, w => w.StartsWith("the measured p99 (46 ms at 20 k msgs/s) sat within 10% of the SLO (50 ms)", StringComparison.Ordinal));
        Assert.DoesNotContain(CapacityPlanner.Plan(clear, PlanInputs.FiftyMillion()).Warnings, w => w.Contains("sat within", StringComparison.Ordinal));
    }

    [Fact]
    public void The_find_max_step_the_cpu_figure_came_from_is_checked_against_the_slo()
    {
        var search = ResultFixture.Pinned().FindMax!;
        var steps = search.Steps.ToArray();
        steps[1] = steps[1] with { P99Us = 47_000 };
        var near = ResultFixture.Pinned() with { FindMax = search with { Steps = steps } };

        Assert.Contains(CapacityPlanner.Plan(near, PlanInputs.FiftyMillion()).Warnings, w => w.StartsWith("the measured p99 (47 ms at 16.9 k msgs/s)", StringComparison.Ordinal));
    }

    [Fact]
    public void Memory_carried_beyond_the_allowed_factor_is_refused_saying_how_to_measure_or_accept_it()
    {
        // 36 nodes hold 138,889 connections each; 5,000 measured: 27.8× as many, beyond 10×.
        var few = ResultFixture.Pinned() with { Target = ResultFixture.Pinned().Target! with { IdleConnections = 5_000 } };

        var error = Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(few, PlanInputs.FiftyMillion()));

        Assert.Equal("relay memory per connection was measured over 5,000 idle connections and is planned at 138,889 per node: 27.8× as many, beyond the 10× --max-extrapolation: measure over 13,889 or more, or pass --max-extrapolation 28 to plan anyway (the plan then says so)", error.Message);

        var accepted = CapacityPlanner.Plan(few, PlanInputs.FiftyMillion() with { MaxMemoryExtrapolation = 28 });
        Assert.Contains(accepted.Warnings, w => w.StartsWith("relay memory per connection was measured over 5,000 idle connections and is planned at 138,889 per node: 27.8× as many, beyond the default 10× limit", StringComparison.Ordinal));
    }

    [Fact]
    public void Memory_within_the_factor_is_an_assumption_that_names_the_factor()
    {
        // 138,889 per node over 19,000 measured: 7.31×.
        var plan = CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion());

        Assert.Contains(plan.Assumptions, a => a == "relay memory per connection was measured over 19,000 idle connections and is planned at 138,889 per node: 7.31× as many (within the 10× limit)");
    }

    [Fact]
    public void Nats_memory_per_held_message_is_held_to_the_same_factor()
    {
        // An hour of retention: 300,000 held × 3 replicas / 3 nodes over 10,000 measured: 30×.
        var error = Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(ResultFixture.Cluster(), PlanInputs.SmallCluster() with { Retention = TimeSpan.FromHours(1) }));

        Assert.StartsWith("NATS memory per held message was measured over 10,000 held messages and is planned at 300,000 per node: 30× as many", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("p99=10ms")]
    [InlineData("p999=50ms")]
    public void A_result_measured_at_a_weaker_slo_is_refused(string asked)
    {
        var error = Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion() with { Slo = Slo.Parse(asked) }));

        Assert.Contains("weaker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stricter_measured_slo_serves_a_looser_request()
    {
        Assert.Equal(36, CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion() with { Slo = Slo.Parse("p90=100ms") }).Nodes);
    }

    [Fact]
    public void A_single_run_serves_only_an_slo_it_met_itself()
    {
        var single = ResultFixture.Pinned() with { FindMax = null };

        Assert.Equal(36, CapacityPlanner.Plan(single, PlanInputs.FiftyMillion()).Nodes);
        var missed = Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(single, PlanInputs.FiftyMillion() with { Slo = Slo.Parse("p99=500us") }));
        Assert.Contains("p99 was 900 µs", missed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Results_without_a_target_section_or_its_memory_are_refused_saying_how_to_measure_them()
    {
        Assert.Contains("--target-process", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(ResultFixture.Pinned() with { Target = null }, PlanInputs.FiftyMillion())).Message, StringComparison.Ordinal);
        var noMemory = ResultFixture.Pinned() with { Target = ResultFixture.Pinned().Target! with { MemoryPerConnectionBytes = null } };
        Assert.Contains("--idle-connections", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(noMemory, PlanInputs.FiftyMillion())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Larger_messages_than_measured_are_refused()
    {
        Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(ResultFixture.Pinned(), PlanInputs.FiftyMillion() with { SizeBytes = 257 }));
    }

    [Fact]
    public void A_result_without_recorded_cores_needs_cores_per_node()
    {
        var k6 = ResultFixture.Pinned() with { Tool = "k6", Environment = new EnvironmentInfo { Backend = "k6-webcrypto", Cipher = "aes-256-gcm", MemoryBytes = 24L << 30 } };

        Assert.Contains("--cores-per-node", Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(k6, PlanInputs.FiftyMillion())).Message, StringComparison.Ordinal);
        Assert.Equal(16, CapacityPlanner.Plan(k6, PlanInputs.FiftyMillion() with { CoresPerNode = 16 }).CoresPerNode);
    }
}
