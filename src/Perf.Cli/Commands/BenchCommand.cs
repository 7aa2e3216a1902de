using System.CommandLine;
using System.Diagnostics;
using Perf.Cli.Load;
using Perf.Results.Files;
using Perf.Vectors;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf bench [--filter GLOB...] [--quick] [--out DIR]</c>: runs the BenchmarkDotNet suites
/// (as <c>dotnet run -c Release --project bench/Perf.Benchmarks</c>, so BenchmarkDotNet builds
/// and isolates its benchmark processes as it should) and copies the reports, the full JSON
/// among them, into a fresh <c>results/runs/&lt;timestamp&gt;-bench/</c> folder.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var filter = new Option<string[]>("--filter") { Description = "Benchmarks to run, as BenchmarkDotNet globs (e.g. '*Aead*'). Default: all.", AllowMultipleArgumentsPerToken = true };
        var quick = new Option<bool>("--quick") { Description = "A short job: 3 warm-up and 10 measured iterations, one launch." };
        var outDir = new Option<string?>("--out") { Description = "Folder for the reports instead of results/runs/<timestamp>-bench/." };
        var command = new Command("bench", "Run the BenchmarkDotNet suites and keep their reports (full JSON for perf compare/gate).") { filter, quick, outDir };
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

            var artifacts = Path.Combine(Path.GetTempPath(), "perf-bench-" + Guid.NewGuid().ToString("N"));
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "run", "-c", "Release", "--project", Path.Combine(root, "bench", "Perf.Benchmarks"), "--", "--artifacts", artifacts },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var filters = parseResult.GetValue(filter);
            start.ArgumentList.Add("--filter");
            foreach (var pattern in filters is { Length: > 0 } ? filters : ["*"])
            {
                start.ArgumentList.Add(pattern);
            }

            if (parseResult.GetValue(quick))
            {
                start.ArgumentList.Add("--quick");
            }

            using var child = Process.Start(start)!;
            var pump = Task.WhenAll(Pump(child.StandardOutput, output), Pump(child.StandardError, error));
            await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            await pump.ConfigureAwait(false);
            var results = Path.Combine(artifacts, "results");
            var reports = Directory.Exists(results) ? Directory.GetFiles(results) : [];
            if (!Array.Exists(reports, f => f.EndsWith("-report-full.json", StringComparison.Ordinal)))
            {
                await error.WriteLineAsync(child.ExitCode != 0
                    ? $"perf bench: the benchmark run failed (exit {child.ExitCode}); see its output above."
                    : $"perf bench: --filter {string.Join(' ', filters ?? [])} matched no benchmark; list them with `dotnet run -c Release --project bench/Perf.Benchmarks -- --list flat`.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var folder = parseResult.GetValue(outDir) ?? RunFolder.Create(ResultsLocation.Root(), "bench");
            Directory.CreateDirectory(folder);
            foreach (var report in reports)
            {
                File.Copy(report, Path.Combine(folder, Path.GetFileName(report)), overwrite: true);
            }

            Directory.Delete(artifacts, recursive: true);
            await output.WriteLineAsync($"reports: {folder}").ConfigureAwait(false);
            return child.ExitCode == 0 ? PerfCommandLine.Ok : PerfCommandLine.Failed;
        });
        return command;
    }

    private static async Task Pump(StreamReader from, TextWriter to)
    {
        while (await from.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            await to.WriteLineAsync(line).ConfigureAwait(false);
        }
    }
}
