using System.CommandLine;
using Perf.Cli.Bench;
using Perf.Cli.Load;
using Perf.Results.Files;
using Perf.Vectors;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf bench [--filter GLOB...] [--quick] [--out DIR]</c>: runs the BenchmarkDotNet suites
/// and keeps their reports (the full JSON among them) and <c>openssl speed</c>'s AEAD ceiling in
/// a fresh <c>results/runs/&lt;timestamp&gt;-bench/</c> folder.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var filter = new Option<string[]>("--filter") { Description = "Benchmarks to run, as BenchmarkDotNet globs (e.g. '*Aead*'). Default: all.", AllowMultipleArgumentsPerToken = true };
        var quick = new Option<bool>("--quick") { Description = "A short job: 3 warm-up and 10 measured iterations, one launch (enough for perf gate)." };
        var noOpenSsl = new Option<bool>("--no-openssl") { Description = "Do not record `openssl speed` for the AEAD ceiling." };
        var outDir = new Option<string?>("--out") { Description = "Folder for the reports instead of results/runs/<timestamp>-bench/." };
        var command = new Command("bench", "Run the BenchmarkDotNet suites and keep their reports (full JSON for perf compare/gate).") { filter, quick, noOpenSsl, outDir };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var root = VectorDirectory.FindRepoRoot();
            if (root is null)
            {
                await error.WriteLineAsync("perf bench: run it inside a clone of the repository (no Perf.sln found above the current directory).").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var filters = parseResult.GetValue(filter) ?? [];
            var folder = parseResult.GetValue(outDir) ?? RunFolder.Create(ResultsLocation.Root(), "bench");
            var outcome = await BenchRunner.RunAsync(root, filters, parseResult.GetValue(quick) ? "--quick" : null, inProcess: false, folder, output, error, cancellationToken).ConfigureAwait(false);
            if (!outcome.HasFullReport)
            {
                await error.WriteLineAsync(outcome.ExitCode != 0
                    ? $"perf bench: the benchmark run failed (exit {outcome.ExitCode}); see its output above."
                    : $"perf bench: --filter {string.Join(' ', filters)} matched no benchmark; list them with `dotnet run -c Release --project bench/Perf.Benchmarks -- --list flat`.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (!parseResult.GetValue(noOpenSsl) && await OpenSslSpeedRecorder.RecordAsync(folder, seconds: 3, cancellationToken).ConfigureAwait(false))
            {
                await output.WriteLineAsync("openssl speed recorded (AEAD ceiling at 16 KiB)").ConfigureAwait(false);
            }

            await output.WriteLineAsync($"reports: {folder}").ConfigureAwait(false);
            return outcome.ExitCode == 0 ? PerfCommandLine.Ok : PerfCommandLine.Failed;
        });
        return command;
    }
}
