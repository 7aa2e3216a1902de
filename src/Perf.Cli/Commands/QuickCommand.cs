using System.CommandLine;
using System.Diagnostics;
using Perf.Cli.Bench;
using Perf.Cli.Load;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Targets;
using Perf.Load.Processes;
using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Results.Reports.Run;
using Perf.Vectors;
using Spectre.Console;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf quick</c>: the one command a new user runs. On embedded defaults it checks the
/// crypto against the vectors, runs a small AEAD benchmark subset and records openssl's
/// ceiling, runs a short open-loop load against each target started in its own process (the
/// echo floor, the relay over TCP and WebSocket, NATS when installed), then writes one results
/// folder with its report and prints a summary with the floor beside every target. About two
/// minutes on a 2-core machine.
/// </summary>
internal static class QuickCommand
{
    /// <summary>The targets a quick run loads, in order; those not available here are skipped with a note.</summary>
    public static IReadOnlyList<string> Targets { get; } = ["echo", "relay-tcp", "relay-ws", "nats"];

    public static Command Create()
    {
        var duration = new Option<string>("--duration") { Description = "Measured time of each load run.", DefaultValueFactory = _ => "10s" };
        var rate = new Option<double>("--rate") { Description = "Messages per second of each load run.", DefaultValueFactory = _ => 2000 };
        var noBench = new Option<bool>("--no-bench") { Description = "Skip the AEAD benchmark subset." };
        var command = new Command("quick", "Self-test, AEAD benchmark subset and short load runs on embedded targets; one results folder with report.html.") { duration, rate, noBench };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!DurationText.TryParse(parseResult.GetValue(duration), out var measured) || measured <= TimeSpan.Zero)
            {
                await error.WriteLineAsync("perf quick: --duration takes a positive time such as 10s.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var scenario = new LoadScenario { Connections = 10, RatePerSecond = parseResult.GetValue(rate), MessageSize = 256, Duration = measured, Warmup = TimeSpan.FromSeconds(2) };
            if (scenario.Validate() is { } problem)
            {
                await error.WriteLineAsync($"perf quick: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var clock = Stopwatch.StartNew();
            var root = VectorDirectory.FindRepoRoot();
            var folder = RunFolder.Create(ResultsLocation.Root(), "quick");
            var console = LoadSummaryTable.Console(output);
            await output.WriteLineAsync($"perf quick -> {folder}").ConfigureAwait(false);

            var selftestFailed = await SelftestAsync(folder, output).ConfigureAwait(false);
            if (!parseResult.GetValue(noBench) && root is not null)
            {
                await BenchSubsetAsync(root, folder, output, error, cancellationToken).ConfigureAwait(false);
            }

            // Each target in its own process: its CPU per message is then measured apart from the generator's.
            var options = new LoadTargetOptions(null, null, "aesgcm", "auto", TargetProcess: true);
            var environment = EnvironmentInfo.Capture("auto", "aesgcm", root);
            var commandLine = CommandLineText.Redacted(LoadCommand.TokenValues(parseResult));
            var runs = new List<LoadRunResult>();
            var results = new List<PerfResult>();
            foreach (var target in Targets)
            {
                if (target == "nats" && NatsServerBinary.Find() is null)
                {
                    await output.WriteLineAsync("nats: skipped (nats-server is not installed; apt-get install nats-server)").ConfigureAwait(false);
                    continue;
                }

                try
                {
                    var (run, written, result) = await LoadJob.RunAsync(target, scenario, options, new LoadJobExtras(), commandLine, environment, folder, TextWriter.Null, cancellationToken).ConfigureAwait(false);
                    runs.Add(run);
                    results.Add(result);
                    await output.WriteLineAsync($"{target}: {run.Recorders.Delivered} delivered, {run.Lost} lost -> {written}").ConfigureAwait(false);
                }
                catch (LoadTargetException ex)
                {
                    await output.WriteLineAsync($"{target}: skipped ({ex.Message})").ConfigureAwait(false);
                }
            }

            var report = RunReportWriter.Write(folder);
            LoadSummaryTable.Write(console, runs);
            FloorTable.Write(console, results);
            await output.WriteLineAsync($"report: {report}").ConfigureAwait(false);
            await output.WriteLineAsync($"perf quick took {clock.Elapsed.TotalSeconds:F0} s").ConfigureAwait(false);
            return selftestFailed ? PerfCommandLine.Failed : PerfCommandLine.Ok;
        });
        return command;
    }

    private static async Task<bool> SelftestAsync(string folder, TextWriter output)
    {
        var vectors = VectorDirectory.Find(out var searched);
        if (vectors is null)
        {
            await output.WriteLineAsync($"selftest: skipped (no vectors at {searched}; set PERF_VECTORS_DIR)").ConfigureAwait(false);
            return false;
        }

        var rows = VectorRunner.RunDirectory(vectors);
        await using (var json = File.CreateText(Path.Combine(folder, "selftest.json")))
        {
            SelftestReport.WriteJson(rows, json);
        }

        int passed = 0, failed = 0, skipped = 0;
        foreach (var row in rows)
        {
            passed += row.Passed;
            failed += row.Failed;
            skipped += row.Skipped;
        }

        await output.WriteLineAsync($"selftest: {passed} passed, {failed} failed, {skipped} skipped").ConfigureAwait(false);
        return failed > 0;
    }

    private static async Task BenchSubsetAsync(string root, string folder, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // AEAD seal at 256 B and 16 KiB on each concrete backend, very short, in process: a first look, not a gate.
        var environment = new Dictionary<string, string> { ["PERF_AEAD_SIZES"] = "256,16384", ["PERF_AEAD_CONCRETE_ONLY"] = "1" };
        var outcome = await BenchRunner.RunAsync(root, ["*AeadBenchmarks.Seal*"], "--smoke", inProcess: true, folder, TextWriter.Null, error, cancellationToken, environment).ConfigureAwait(false);
        await output.WriteLineAsync(outcome.HasFullReport ? "bench: AEAD seal subset done" : $"bench: the AEAD subset did not run (exit {outcome.ExitCode})").ConfigureAwait(false);
        if (await OpenSslSpeedRecorder.RecordAsync(folder, seconds: 1, cancellationToken).ConfigureAwait(false))
        {
            await output.WriteLineAsync("bench: openssl speed recorded").ConfigureAwait(false);
        }
    }
}
