using Perf.Cli.Tests.Results;

namespace Perf.Cli.Tests.Relay;

/// <summary><c>perf relay</c>'s own options: bad values are refused before anything listens.</summary>
public sealed class RelayCommandTests
{
    [Theory]
    [InlineData("sideways")]
    [InlineData("")]
    [InlineData("INLINE")]
    public void Relay_refuses_a_scheduling_it_does_not_know(string scheduling)
    {
        CliRun.Invoke("relay", "--tcp", "127.0.0.1:0", "--ws", "127.0.0.1:0", "--scheduling", scheduling).AssertBadInput("--scheduling must be inline or thread-pool");
    }
}
