using Perf.Cli.Results;

namespace Perf.Cli.Tests.Results;

/// <summary>What each load round of <c>perf gate --ab --load</c> runs: the relay in its own process, pinned where the machine allows, unless told otherwise.</summary>
public sealed class AbLoadSuiteTests
{
    [Fact]
    public void The_default_scenario_targets_the_relay_in_its_own_process_pinned_apart_from_the_generator()
    {
        var suite = new AbLoadSuite(AbLoadSuite.DefaultArguments);

        Assert.StartsWith("--target relay-tcp --rate 5000 --duration 10s --warmup 2s --target-process", suite.Arguments, StringComparison.Ordinal);
        if (Environment.ProcessorCount >= 2)
        {
            Assert.EndsWith("--target-cpus 1 --generator-cpus 0", suite.Arguments, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("--target-cpus", suite.Arguments, StringComparison.Ordinal);
        }

        Assert.Equal("load", suite.Kind);
        Assert.Equal(Path.Combine("src", "Perf.Cli", "Perf.Cli.csproj"), suite.Project);
    }

    [Fact]
    public void What_the_arguments_say_is_kept_and_not_added_twice()
    {
        var suite = new AbLoadSuite("--target echo --target-cpus 0-1 --size \"1024\"");

        Assert.Equal("--target echo --target-cpus 0-1 --size 1024 --target-process", suite.Arguments);
    }
}
