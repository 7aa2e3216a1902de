using System.Net;
using Perf.Load.Targets.Cluster;

namespace Perf.Load.Tests.Targets;

/// <summary>A fleet's <c>relay-cluster://HOST:PORT,...</c> address and a node's own connection count from its <c>/metrics</c>.</summary>
public sealed class ClusterNodesTests
{
    [Fact]
    public void A_cluster_address_lists_its_nodes_in_order()
    {
        Assert.True(ClusterNodes.TryParseAddress("relay-cluster://127.0.0.1:7400,relay.load.svc:7401,[::1]:7402", out var nodes, out var error), error);

        Assert.Equal([("127.0.0.1", 7400), ("relay.load.svc", 7401), ("::1", 7402)], nodes);
    }

    [Theory]
    [InlineData("relay-cluster", "is not a relay cluster address")]
    [InlineData("relay-tcp://127.0.0.1:7400", "is not a relay cluster address")]
    [InlineData("relay-cluster://127.0.0.1", "is not HOST:PORT")]
    [InlineData("relay-cluster://127.0.0.1:0", "is not HOST:PORT")]
    [InlineData("relay-cluster://127.0.0.1:70000", "is not HOST:PORT")]
    [InlineData("relay-cluster://127.0.0.1:7400,", "is not HOST:PORT")]
    [InlineData("relay-cluster://:7400", "is not HOST:PORT")]
    public void A_malformed_address_is_one_line(string text, string expected)
    {
        Assert.False(ClusterNodes.TryParseAddress(text, out var nodes, out var error));
        Assert.Empty(nodes);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error!);
    }

    [Fact]
    public void A_fleet_at_fixed_addresses_is_written_back_as_its_address()
    {
        var nodes = ClusterNodes.At([new IPEndPoint(IPAddress.Loopback, 7400), new IPEndPoint(IPAddress.Loopback, 7402)], new byte[32], null, ClusterTransport.Tcp);

        Assert.Equal("relay-cluster://127.0.0.1:7400,127.0.0.1:7402", nodes.Address);
        Assert.Equal(2, nodes.Count);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7402), nodes.EndPointOf(1));
        Assert.Throws<ArgumentException>(() => ClusterNodes.At([new IPEndPoint(IPAddress.Loopback, 7400)], new byte[32], null, ClusterTransport.WebSocket));
    }

    [Fact]
    public void The_connection_count_is_read_from_prometheus_text_labelled_or_not_with_or_without_a_timestamp()
    {
        const string Text = "# TYPE relay_connections gauge\nrelay_connections_refused_total{reason=\"handshake_rate\"} 9\nrelay_connections{otel_scope_name=\"Relay.Server\"} 16712 1767225600000\n";

        Assert.Equal(16712, RelayNodeMetrics.Read(Text, "relay_connections"));
        Assert.Equal(42, RelayNodeMetrics.Read("relay_connections 42\n", "relay_connections"));
        Assert.Null(RelayNodeMetrics.Read("relay_connections_refused_total 3\n", "relay_connections"));
    }
}
