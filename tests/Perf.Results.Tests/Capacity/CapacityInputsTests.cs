using Perf.Results.Capacity;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Capacity;

public sealed class CapacityInputsTests
{
    public static TheoryData<string, Func<CapacityInputs, CapacityInputs>> OutOfRange() => new()
    {
        { "--users", i => i with { Users = 0 } },
        { "--concurrent-fraction", i => i with { ConcurrentFraction = 1.5 } },
        { "--msgs-per-user-per-day", i => i with { MessagesPerUserPerDay = -1 } },
        { "--peak-factor", i => i with { PeakFactor = 0.5 } },
        { "--size", i => i with { SizeBytes = 0 } },
        { "--headroom", i => i with { Headroom = 1 } },
        { "--keep-alive", i => i with { KeepAliveInterval = TimeSpan.Zero } },
        { "--reconnect-fraction", i => i with { ReconnectFraction = 1.5 } },
        { "--reconnect-window", i => i with { ReconnectWindow = TimeSpan.Zero } },
        { "--max-connections", i => i with { MaxConnectionsPerNode = 0 } },
        { "--descriptors-per-node", i => i with { DescriptorsPerNode = 1_000 } },
        { "--held-fraction", i => i with { HeldFraction = -0.1 } },
        { "--retention", i => i with { Retention = TimeSpan.FromSeconds(-1) } },
        { "--max-extrapolation", i => i with { MaxMemoryExtrapolation = 0.5 } },
        { "--cores-per-node", i => i with { CoresPerNode = 0 } },
        { "--memory-per-node", i => i with { MemoryPerNodeBytes = -5 } },
        { "--disk-per-node", i => i with { DiskPerNodeBytes = 0 } },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Out_of_range_inputs_are_refused_naming_the_option(string option, Func<CapacityInputs, CapacityInputs> change)
    {
        var error = Assert.Throws<BadInputException>(() => CapacityPlanner.Plan(ResultFixture.Pinned(), change(PlanInputs.FiftyMillion())));

        Assert.StartsWith(option + " ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Held_fraction_defaults_to_the_offline_share()
    {
        Assert.Equal(0.9, PlanInputs.FiftyMillion().HeldFractionOrDefault, 9);
        Assert.Equal(0.25, (PlanInputs.FiftyMillion() with { HeldFraction = 0.25 }).HeldFractionOrDefault, 9);
    }
}
