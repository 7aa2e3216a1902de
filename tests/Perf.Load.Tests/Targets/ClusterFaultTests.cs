using Perf.Load.Targets.Cluster;

namespace Perf.Load.Tests.Targets;

/// <summary><c>--fault ACTION:NODE:INDEX@TIME</c>: what it means, how it prints, what it refuses.</summary>
public sealed class ClusterFaultTests
{
    [Theory]
    [InlineData("kill:relay:1@4s", FaultAction.Kill, FaultNodeKind.Relay, 1, 4000, "kill:relay:1@4s")]
    [InlineData("restart:relay:0@500ms", FaultAction.Restart, FaultNodeKind.Relay, 0, 500, "restart:relay:0@0.5s")]
    [InlineData("KILL:NATS:2@6", FaultAction.Kill, FaultNodeKind.Nats, 2, 6000, "kill:nats:2@6s")]
    [InlineData("restart:nats:0@1.25s", FaultAction.Restart, FaultNodeKind.Nats, 0, 1250, "restart:nats:0@1.25s")]
    public void A_fault_parses_into_its_parts_and_prints_back(string text, FaultAction action, FaultNodeKind kind, int node, int milliseconds, string printed)
    {
        Assert.True(ClusterFault.TryParse(text, out var fault, out var error), error);

        Assert.Equal(new ClusterFault(action, kind, node, TimeSpan.FromMilliseconds(milliseconds)), fault);
        Assert.Equal(printed, fault!.ToString());
        Assert.True(ClusterFault.TryParse(printed, out var again, out _));
        Assert.Equal(fault, again);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("@4s")]
    [InlineData("kill:relay:1")]
    [InlineData("kill:relay:+1@4s")]
    [InlineData("kill:relay: 1@4s")]
    [InlineData("kill:relay:99999999999@4s")]
    [InlineData("kill:relay:1@-4s")]
    [InlineData("kill:relay:1@4s@5s")]
    public void Malformed_faults_are_refused_with_a_line_that_shows_the_syntax(string? text)
    {
        Assert.False(ClusterFault.TryParse(text, out var fault, out var error));
        Assert.Null(fault);
        Assert.StartsWith("--fault ", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error!);
    }

    [Fact]
    public void A_fault_must_name_an_existing_node_inside_the_measured_window()
    {
        var fault = new ClusterFault(FaultAction.Kill, FaultNodeKind.Nats, 2, TimeSpan.FromSeconds(6));

        Assert.Null(fault.Check(relayNodes: 3, natsNodes: 3, TimeSpan.FromSeconds(12)));
        Assert.Contains("there is no nats node 2", fault.Check(3, 2, TimeSpan.FromSeconds(12)), StringComparison.Ordinal);
        Assert.Contains("not inside the measured window", fault.Check(3, 3, TimeSpan.FromSeconds(6)), StringComparison.Ordinal);
    }
}
