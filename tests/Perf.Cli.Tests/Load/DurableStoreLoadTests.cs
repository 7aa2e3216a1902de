using System.Diagnostics;
using Perf.Cli.Tests.Results;
using Perf.Load.Targets.JetStream;
using Perf.Load.Processes;
using Perf.Results.Files;
using Perf.Testing.Folders;

namespace Perf.Cli.Tests.Load;

/// <summary>
/// The relay's durable path beside its floor: <c>perf load --store nats</c> starts a
/// <c>nats-server -js</c> beside the relay process and records its CPU in the result's store
/// section; <c>--target jetstream</c> runs the same messages through JetStream alone. Skipped,
/// with the reason, where nats-server is not installed.
/// </summary>
public sealed class DurableStoreLoadTests : TempFolder
{
    [SkippableFact]
    public void A_relay_on_a_store_started_beside_it_records_the_stores_cpu_beside_its_own()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        var resultPath = Path.Combine(Folder, "store.json");

        var run = CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--store", "nats", "--connections", "4", "--rate", "300", "--duration", "2s", "--warmup", "500ms", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error + run.Output);
        var result = ResultFile.Read(resultPath);
        Assert.Equal(0, result.Metrics.Lost);
        Assert.Equal(result.Metrics.Sent, result.Metrics.Accepted);
        Assert.Equal("perf relay", result.Target!.Process);
        var store = result.Store!;
        Assert.Equal("nats-server", store.Process);
        Assert.True(store.CoresUsed > 0, "the store's nats-server used no CPU while it stored every message");
        Assert.True(store.CpuUsPerMessage > 0);
        Assert.Contains("nats-server -js started beside it", run.Output, StringComparison.Ordinal);
        Assert.Contains("store nats-server: ", run.Output, StringComparison.Ordinal);
        var storePid = int.Parse(System.Text.RegularExpressions.Regex.Match(run.Output, @"started beside it, process (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(storePid)); // stopped with the run
    }

    [SkippableFact]
    public void A_publish_window_reaches_the_relay_process_and_loses_nothing()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        var resultPath = Path.Combine(Folder, "window.json");

        // The relay process refuses a flag it does not know (exit 2), so a run that passes took it.
        var run = CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--store", "nats", "--store-publish-window", "2000", "--connections", "4", "--rate", "300", "--duration", "2s", "--warmup", "500ms", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error + run.Output);
        var result = ResultFile.Read(resultPath);
        Assert.Equal(0, result.Metrics.Lost);
        Assert.Equal(result.Metrics.Sent, result.Metrics.Accepted);
        Assert.Equal(result.Metrics.Sent, result.Metrics.Delivered);
        Assert.Contains("--store-publish-window 2000", result.Command, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task An_external_store_on_loopback_is_found_by_its_port_and_measured()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        await using var server = await JetStreamServerProcess.StartAsync(null, CancellationToken.None);
        var resultPath = Path.Combine(Folder, "external.json");

        var run = CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--store", server.Url, "--connections", "2", "--rate", "200", "--duration", "1s", "--warmup", "300ms", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error + run.Output);
        Assert.Contains($"process {server.Process.ProcessId}, found by its port; measured", run.Output, StringComparison.Ordinal);
        Assert.Equal("nats-server", ResultFile.Read(resultPath).Store!.Process);
        Assert.True(server.Process.IsRunning); // found, not started: the run leaves it alone
    }

    [SkippableFact]
    public void The_durability_floor_stores_delivers_and_removes_every_message_through_jetstream_alone()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        var resultPath = Path.Combine(Folder, "floor.json");

        var run = CliRun.Invoke("load", "--target", "jetstream", "--connections", "4", "--rate", "300", "--duration", "2s", "--warmup", "500ms", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error + run.Output);
        var result = ResultFile.Read(resultPath);
        Assert.Equal("jetstream", result.Scenario.Target);
        Assert.True(result.Metrics.Sent > 0);
        Assert.Equal(result.Metrics.Sent, result.Metrics.Accepted);
        Assert.Equal(result.Metrics.Sent, result.Metrics.Delivered);
        Assert.Equal("nats-server", result.Target!.Process);
        Assert.True(result.Target.CpuUsPerMessage > 0);
        Assert.Null(result.Store);
    }

    [SkippableFact]
    public void The_floor_with_a_publish_window_still_stores_and_delivers_every_message()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        var resultPath = Path.Combine(Folder, "floor-window.json");

        var run = CliRun.Invoke("load", "--target", "jetstream", "--store-publish-window", "2000", "--connections", "4", "--rate", "300", "--duration", "2s", "--warmup", "500ms", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error + run.Output);
        var result = ResultFile.Read(resultPath);
        Assert.True(result.Metrics.Sent > 0);
        Assert.Equal(result.Metrics.Sent, result.Metrics.Accepted);
        Assert.Equal(result.Metrics.Sent, result.Metrics.Delivered);
        Assert.Equal(0, result.Metrics.Lost);
    }

    [Fact]
    public void A_store_is_only_for_a_relay_process()
    {
        CliRun.Invoke("load", "--target", "jetstream", "--store", "nats").AssertBadInput("--store takes nats or nats://HOST:PORT[,...] and needs a relay target in its own process");
        CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--store", "nats2").AssertBadInput("--store takes nats or nats://HOST:PORT[,...]");
    }
}
