using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Perf.Load.Engine;
using Perf.Load.Processes;
using Perf.Load.Targets.JetStream;

namespace Perf.Load.Tests.Targets;

/// <summary>How a relay's store process is read beside it: found by its loopback port, sampled at the target's moments.</summary>
public sealed class StoreBesideTests
{
    [SkippableFact]
    public void A_process_listening_on_a_loopback_port_is_found_by_it_and_a_free_port_finds_none()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "found through /proc");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        using var found = ListeningProcess.Find(port);

        Assert.NotNull(found);
        Assert.Equal(Environment.ProcessId, found.ProcessId);
        Assert.True(found.Sample().CpuTime > TimeSpan.Zero);
        listener.Stop();
        Assert.Null(ListeningProcess.Find(port));
    }

    [Fact]
    public void The_process_beside_the_target_is_read_at_the_targets_moments_and_its_use_between_the_first_and_last()
    {
        var target = new Readings();
        var beside = new Readings();
        var both = new ResourcesBeside(target, beside);
        Assert.Null(both.BesideBetweenFirstAndLast(10));

        beside.Cpu = TimeSpan.FromMilliseconds(100);
        Assert.Equal(target.Cpu, both.Sample().CpuTime); // the runner sees the target
        beside.Cpu = TimeSpan.FromMilliseconds(150); // read in between: not counted
        beside.Cpu = TimeSpan.FromMilliseconds(300);
        both.Sample();

        var usage = both.BesideBetweenFirstAndLast(1_000)!;
        Assert.Equal(TimeSpan.FromMilliseconds(200), usage.CpuTime);
        Assert.Equal(200.0, usage.CpuMicrosecondsPerMessage);
        Assert.Equal(2, beside.Reads);
    }

    private sealed class Readings : IProcessResources
    {
        public TimeSpan Cpu { get; set; } = TimeSpan.FromMilliseconds(5);

        public int Reads { get; private set; }

        public ProcessResourceSample Sample()
        {
            Reads++;
            return new ProcessResourceSample(Cpu, 0, Stopwatch.GetTimestamp());
        }
    }
}
