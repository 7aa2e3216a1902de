using Perf.Load.Os;

namespace Perf.Load.Tests.Os;

public sealed class OpenFileLimitTests
{
    [Fact]
    public void Connections_that_fit_under_the_hard_limit_are_no_shortfall()
    {
        Assert.Null(OpenFileLimit.Shortfall(1000, 20_000));
        Assert.Null(OpenFileLimit.Shortfall(19_744, 20_000));
        Assert.Null(OpenFileLimit.Shortfall(1_000_000, null));
    }

    [Fact]
    public void A_shortfall_says_what_fits_and_what_to_raise()
    {
        var message = OpenFileLimit.Shortfall(100_000, 20_000);

        Assert.NotNull(message);
        Assert.Contains("hard limit here is 20000", message, StringComparison.Ordinal);
        Assert.Contains("at most 19744 connections", message, StringComparison.Ordinal);
        Assert.Contains("ulimit -Hn 100256", message, StringComparison.Ordinal);
        Assert.Contains("LimitNOFILE=100256", message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_soft_limit_is_raised_to_the_hard_one()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "RLIMIT_NOFILE is read on Linux.");

        var limit = OpenFileLimit.RaiseToHardLimit();

        Assert.Equal(OpenFileLimit.HardLimit(), limit);
    }
}
