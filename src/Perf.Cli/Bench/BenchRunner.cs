using System.Diagnostics;

namespace Perf.Cli.Bench;

/// <summary>
/// Runs the bench project as a child (<c>dotnet run -c Release --project bench/Perf.Benchmarks</c>)
/// so BenchmarkDotNet builds and isolates its benchmark processes as it should, streams its
/// output, and copies its reports into a folder.
/// </summary>
internal static class BenchRunner
{
    /// <summary>What a run produced.</summary>
    /// <param name="ExitCode">The child's exit code.</param>
    /// <param name="Reports">Report files copied into the destination (empty when nothing ran).</param>
    public sealed record Outcome(int ExitCode, IReadOnlyList<string> Reports)
    {
        /// <summary>Whether a full JSON report was produced.</summary>
        public bool HasFullReport => Reports.Any(r => r.EndsWith("-report-full.json", StringComparison.Ordinal));
    }

    public static async Task<Outcome> RunAsync(string repoRoot, IReadOnlyList<string> filters, string? jobSwitch, bool inProcess, string destination, TextWriter output, TextWriter error, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var artifacts = Path.Combine(Path.GetTempPath(), "perf-bench-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "run", "-c", "Release", "--project", Path.Combine(repoRoot, "bench", "Perf.Benchmarks"), "--", "--artifacts", artifacts, "--filter" },
        };
        foreach (var pattern in filters.Count > 0 ? filters : ["*"])
        {
            start.ArgumentList.Add(pattern);
        }

        if (jobSwitch is not null)
        {
            start.ArgumentList.Add(jobSwitch);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        if (inProcess)
        {
            start.ArgumentList.Add("--inprocess");
        }

        int exitCode = await ChildProcess.RunAsync(start, output.WriteLine, error.WriteLine, cancellationToken).ConfigureAwait(false);
        var results = Path.Combine(artifacts, "results");
        var copied = new List<string>();
        if (Directory.Exists(results))
        {
            Directory.CreateDirectory(destination);
            foreach (var report in Directory.GetFiles(results))
            {
                var target = Path.Combine(destination, Path.GetFileName(report));
                File.Copy(report, target, overwrite: true);
                copied.Add(target);
            }
        }

        if (Directory.Exists(artifacts))
        {
            Directory.Delete(artifacts, recursive: true);
        }

        return new Outcome(exitCode, copied);
    }
}
