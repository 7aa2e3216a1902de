using Perf.Load;

namespace Perf.Load.Tests.Engine;

public sealed class LoadScenarioTests
{
    [Fact]
    public void Defaults_are_valid() => Assert.Null(new LoadScenario().Validate());

    [Theory]
    [InlineData(0, 100, 256, "--connections")]
    [InlineData(10, 0, 256, "--rate")]
    [InlineData(10, -5, 256, "--rate")]
    [InlineData(10, 100, 8, "--size")]
    [InlineData(10, 100, 1_000_000, "--size")]
    public void Out_of_range_values_name_the_option_and_range(int connections, double rate, int size, string option)
    {
        var problem = new LoadScenario { Connections = connections, RatePerSecond = rate, MessageSize = size }.Validate();
        Assert.NotNull(problem);
        Assert.StartsWith(option, problem, StringComparison.Ordinal);
        Assert.Contains("; got ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zero_duration_is_refused() =>
        Assert.StartsWith("--duration", new LoadScenario { Duration = TimeSpan.Zero }.Validate(), StringComparison.Ordinal);
}
