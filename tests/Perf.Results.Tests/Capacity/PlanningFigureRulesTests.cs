using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Capacity;

/// <summary>A result file's planning figures (kernel and resident memory, keep-alive CPU, held messages) are read back, and a negative one is refused naming its section.</summary>
public sealed class PlanningFigureRulesTests
{
    [Fact]
    public void The_planning_figures_survive_the_file()
    {
        var pinned = ResultFixture.Pinned();

        var read = ResultFile.Parse(ResultFile.ToJson(ResultFixture.Cluster()), "x.json");

        Assert.Equal(ResultFixture.Cluster().Cluster!.Nats, read.Cluster!.Nats);
        Assert.Equal(pinned.Target, ResultFile.Parse(ResultFile.ToJson(pinned), "x.json").Target);
        Assert.Equal(20_000, ResultFile.Parse(ResultFile.ToJson(pinned), "x.json").Environment.MaxOpenFiles);
        Assert.Equal("delivered 61000 msgs/s of 85430 offered", ResultFile.Parse(ResultFile.ToJson(pinned), "x.json").FindMax!.Steps[3].Reason);
    }

    [Fact]
    public void A_negative_planning_figure_is_refused_naming_its_section()
    {
        var pinned = ResultFixture.Pinned();
        var cluster = ResultFixture.Cluster();

        string Refused(PerfResult result) => Assert.Throws<BadInputException>(() => ResultFile.Parse(ResultFile.ToJson(result), "x.json")).Message;

        Assert.Contains("target.kernel_memory_per_connection_bytes", Refused(pinned with { Target = pinned.Target! with { KernelMemoryPerConnectionBytes = -1 } }), StringComparison.Ordinal);
        Assert.Contains("target.kernel_memory_per_connection_bytes", Refused(pinned with { Target = pinned.Target! with { CpuUsPerKeepAlive = -1 } }), StringComparison.Ordinal);
        Assert.Contains("cluster.nats.held_messages", Refused(cluster with { Cluster = cluster.Cluster! with { Nats = cluster.Cluster.Nats! with { HeldMessages = new HeldMessages { Messages = 10, MemoryPerMessageBytes = 1, DiskPerMessageBytes = -5 } } } }), StringComparison.Ordinal);
    }
}
