using Perf.Load.Processes;

namespace Perf.Load.Tests.Processes;

/// <summary>The one nats-server command line: a core server for the nats target, a JetStream node alone or with routes.</summary>
public sealed class NatsServerArgumentsTests
{
    [Fact]
    public void A_core_server_listens_on_loopback_without_monitoring_jetstream_or_routes()
    {
        Assert.Equal(
            ["--addr", "127.0.0.1", "--port", "4222", "--http_port", "0", "--no_advertise"],
            new NatsServerArguments(4222).ToList());
    }

    [Fact]
    public void A_jetstream_node_alone_has_its_store_and_name_and_no_routes()
    {
        Assert.Equal(
            ["-js", "--addr", "127.0.0.1", "--port", "4222", "--http_port", "8222", "--store_dir", "/tmp/n0", "--server_name", "n0", "--no_advertise"],
            new NatsServerArguments(4222) { MonitorPort = 8222, StoreDirectory = "/tmp/n0", ServerName = "n0" }.ToList());
    }

    [Fact]
    public void A_cluster_node_routes_to_every_node_by_loopback_url()
    {
        var arguments = new NatsServerArguments(4223) { StoreDirectory = "/tmp/n1", ServerName = "n1", Cluster = new NatsRoutes("perf", 6223, [6222, 6223, 6224]) }.ToList();

        Assert.Equal(
            ["--cluster_name", "perf", "--cluster", "nats://127.0.0.1:6223", "--routes", "nats://127.0.0.1:6222,nats://127.0.0.1:6223,nats://127.0.0.1:6224"],
            arguments.Skip(arguments.Count - 6));
    }
}
