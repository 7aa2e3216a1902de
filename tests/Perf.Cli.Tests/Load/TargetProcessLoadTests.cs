using System.Diagnostics;
using System.Text.RegularExpressions;
using Perf.Cli.Tests.Results;
using Perf.Load.Os;
using Perf.Results.Files;
using Perf.Testing.Folders;

namespace Perf.Cli.Tests.Load;

/// <summary><c>perf load --target-process</c>: real perf child processes (relay, echo), measured, pinned and stopped.</summary>
public sealed partial class TargetProcessLoadTests : TempFolder
{
    [GeneratedRegex(@"run folder: (\S+) \(perf report")]
    private static partial Regex RunFolderLine();

    [Fact]
    public void A_relay_process_holds_idle_clients_during_the_run_takes_a_storm_and_records_its_target_section()
    {
        var resultPath = Path.Combine(Folder, "result.json");

        var run = CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--connections", "4", "--rate", "400", "--duration", "2s", "--warmup", "500ms",
            "--idle-connections", "100", "--reconnect-storm", "60", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error);
        var result = ResultFile.Read(resultPath);
        Assert.Equal(0, result.Metrics.Lost);
        var target = Assert.IsType<Perf.Results.Model.TargetUsage>(result.Target);
        Assert.Equal("perf relay", target.Process);
        Assert.InRange(target.CoresUsed, 0.0001, Environment.ProcessorCount);
        Assert.True(target.CpuUsPerMessage > 0);
        Assert.Equal(100, target.IdleConnections);
        Assert.True(target.MemoryPerConnectionBytes >= 0);
        // Machine-wide (sockstat): null when other processes closed more sockets meanwhile (a shared
        // machine), so only its presence with its source is checked here; KernelSocketMemoryTests reads it.
        Assert.Equal(target.KernelMemoryPerConnectionBytes is not null, target.KernelMemorySource is not null);
        Assert.True(target.KernelMemoryPerConnectionBytes is null or >= 0);
        Assert.True(target.ResidentBytes > 0);
        Assert.True(target.CpuUsPerKeepAlive is null or > 0); // null when 100 PINGs cost less than a 10 ms CPU tick
        Assert.Contains("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0", target.RuntimeSettings!);
        Assert.Contains("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1", target.RuntimeSettings!);
        var storm = target.ReconnectStorm!;
        Assert.Equal(60, storm.Clients);
        Assert.Equal(0, storm.Failed);
        Assert.True(storm.HandshakesPerS > 0);
        Assert.True(result.Generator!.CpuUsPerMessage > 0);
        Assert.Null(result.Relay);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(ProcessId(run.Output))); // stopped with the run
    }

    [SkippableFact]
    public void The_echo_process_is_pinned_to_the_cpus_asked_and_the_alias_still_works()
    {
        Skip.IfNot(CpuAffinity.IsSupported, "CPU pinning needs Linux.");
        var available = CpuAffinity.Available();
        var last = available.Cpus[^1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        var resultPath = Path.Combine(Folder, "echo.json");

        // --relay-process is the old name of --target-process; the generator is pinned to every CPU it may use
        // already, so the test host keeps them for the tests after this one.
        var run = CliRun.Invoke("load", "--target", "echo", "--relay-process", "--target-cpus", last, "--generator-cpus", available.ToString(),
            "--connections", "2", "--rate", "200", "--duration", "1s", "--warmup", "200ms", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error);
        var result = ResultFile.Read(resultPath);
        Assert.Equal("perf echo", result.Target!.Process);
        Assert.Equal(last, result.Target.Cpus);
        Assert.Equal(available.ToString(), result.Generator!.Cpus);
        Assert.Contains($"(perf echo, process {ProcessId(run.Output)}, CPUs {last})", run.Output, StringComparison.Ordinal);
        Assert.Null(result.Target.IdleConnections);
    }

    [Fact]
    public void Repeated_targets_go_into_one_run_folder_interleaved_with_the_floor_and_perf_report_reads_it()
    {
        var run = CliRun.Invoke("load", "--targets", "relay-tcp,echo", "--target-process", "--repeat", "2", "--connections", "2", "--rate", "200", "--duration", "1s", "--warmup", "200ms");

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error);
        var folder = RunFolderLine().Match(run.Output).Groups[1].Value;
        try
        {
            // Echo leads each round: echo, relay-tcp, echo, relay-tcp.
            var results = Directory.GetFiles(folder, "result.json", SearchOption.AllDirectories).Select(ResultFile.Read).OrderBy(r => r.StartedAt).ToList();
            Assert.Equal(["echo", "relay-tcp", "echo", "relay-tcp"], results.Select(r => r.Scenario.Target));
            Assert.All(results, r => Assert.NotNull(r.Target)); // every one in its own process, measured
            Assert.Equal(2, Directory.GetDirectories(folder, "round-*").Length);
            Assert.Contains("beside the floor (echo)", run.Output, StringComparison.Ordinal);
            Assert.Matches(@"│ echo, 256 B, 200 msgs/s +│ 2 +│ \d+ +│ floor +│", run.Output);
            Assert.Matches(@"│ relay-tcp, 256 B, 200 msgs/s +│ 2 +│ \d+ +│ [\d.]+× \([\d.]+–[\d.]+×\) +│", run.Output);
            Assert.Contains("│ relay-tcp #2 │", run.Output, StringComparison.Ordinal);

            var report = CliRun.Invoke("report", folder);
            Assert.True(report.ExitCode == PerfCommandLine.Ok, report.Error);
            var markdown = File.ReadAllText(Path.Combine(folder, "report.md"));
            Assert.Contains("| relay-tcp, 256 B, 200 msgs/s, round 2 |", markdown, StringComparison.Ordinal);
            Assert.Contains("## Ratios over the floor, run by run", markdown, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [SkippableFact]
    public void Held_messages_with_a_jetstream_store_record_the_relays_and_nats_memory_and_the_streams_disk()
    {
        Skip.If(Perf.Load.Processes.NatsServerBinary.Find() is null, Perf.Load.Processes.NatsServerBinary.NotInstalled);
        var resultPath = Path.Combine(Folder, "held.json");

        var run = CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--store", "nats", "--connections", "2", "--rate", "100", "--duration", "1s", "--warmup", "200ms",
            "--idle-connections", "40", "--held-messages", "300", "--out", resultPath);

        Assert.True(run.ExitCode == PerfCommandLine.Ok, run.Error);
        var result = ResultFile.Read(resultPath);
        Assert.Equal(300, result.Target!.HeldMessages!.Messages);
        Assert.True(result.Target.HeldMessages.MemoryPerMessageBytes >= 0);
        var store = result.Store!.HeldMessages!;
        Assert.Equal(300, store.Messages);

        // JetStream stores at least the envelope (23 B header + 256 B + 16 B tag) per held message.
        Assert.InRange(store.DiskPerMessageBytes!.Value, 295, 4_096);
        Assert.Equal(40, result.Store.IdleConnections);
        Assert.True(result.Store.MemoryPerConnectionBytes >= 0);
        Assert.Contains("held: 300 accepted;", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Placement_options_are_checked_before_anything_starts()
    {
        CliRun.Invoke("load", "--target", "relay-tcp://127.0.0.1:7400", "--target-process").AssertBadInput("use it with a bare target name");
        CliRun.Invoke("load", "--target", "relay-tcp", "--idle-connections", "10").AssertBadInput("add --target-process");
        CliRun.Invoke("load", "--target", "echo", "--target-cpus", "0").AssertBadInput("add --target-process");
        CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--idle-connections", "-1").AssertBadInput("--idle-connections and --reconnect-storm must be 0 to 1000000");
        CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--reconnect-storm", "1000001").AssertBadInput("must be 0 to 1000000");
        CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--held-messages", "-1").AssertBadInput("--held-messages must be 0 to 1000000");
        CliRun.Invoke("load", "--target", "echo", "--target-process", "--held-messages", "10").AssertBadInput("--held-messages leaves messages with a relay over Noise/TCP");
        const string store = "--store takes nats or nats://HOST:PORT[,...] and needs a relay target in its own process";
        CliRun.Invoke("load", "--target", "relay-tcp", "--store", "nats://127.0.0.1:4222").AssertBadInput(store);
        CliRun.Invoke("load", "--target", "relay-tcp", "--target-process", "--store", "http://127.0.0.1:4222").AssertBadInput(store);
        CliRun.Invoke("load", "--targets", "relay-tcp,echo", "--target-process", "--store", "nats://127.0.0.1:4222").AssertBadInput(store);
        if (CpuAffinity.IsSupported)
        {
            CliRun.Invoke("load", "--target", "echo", "--target-process", "--target-cpus", "1-x").AssertBadInput("--target-cpus: '1-x' is not a CPU list");
            CliRun.Invoke("load", "--target", "echo", "--target-process", "--generator-cpus", "1000").AssertBadInput("--generator-cpus 1000: this process may run on CPUs");
        }
    }

    private static int ProcessId(string output) =>
        int.Parse(ProcessIdPattern().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\(perf (?:relay|echo), process (\d+)")]
    private static partial Regex ProcessIdPattern();
}
