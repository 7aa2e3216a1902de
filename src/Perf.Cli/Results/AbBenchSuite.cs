using System.Diagnostics;
using Perf.Cli.Bench;
using Perf.Results;
using Perf.Results.Benchmarks;
using Perf.Results.Comparison;

namespace Perf.Cli.Results;

/// <summary>
/// The benchmark side of <c>perf gate --ab</c>: each process is the commit's built
/// <c>Perf.Benchmarks.dll</c> run in process with the round job (<c>--round</c>: 2 warm-up and 6
/// measured iterations of 25 ms) and timed by thread CPU time (<c>PERF_BENCH_CLOCK=thread-cpu</c>);
/// a round's value per benchmark is the smallest of its measured iterations: thread CPU time only
/// grows under a burst of other work, so the fastest iteration is the one least disturbed (in 11
/// processes of the same build on the reference machine with builds beside them, half the pairs' ratios from the minimum
/// lay within 1.1 % of 1, from the median within 3.7 %). The processes run
/// without tiered compilation (<c>DOTNET_TieredCompilation=0</c>, unless the environment sets it),
/// so no round measures tier-0 code; code that only dynamic PGO changes is therefore not what the
/// gate sees (<c>perf bench</c> measures with tiering). <c>PERF_AEAD_*</c>
/// pass through from the gate's environment; <c>--inject-slowdown</c> becomes
/// <c>PERF_BENCH_SLOWDOWN</c> for the head side only.
/// </summary>
internal sealed class AbBenchSuite(IReadOnlyList<string> filters, string? injectSlowdown) : IAbSuite
{
    /// <summary>The harness's own switch for a gate round (older commits lack it).</summary>
    public const string RoundSwitch = "--round";

    private const string SlowdownVariable = "PERF_BENCH_SLOWDOWN";
    private const string SlowdownAnnouncement = "perf-bench: injected slowdown";
    private const string Harness = "bench/Perf.Benchmarks";
    private const string TieredCompilation = "DOTNET_TieredCompilation";

    // Canonical name (what rows are called) to BenchmarkDotNet's own full name (what its --filter matches).
    private readonly Dictionary<string, string> reportedNames = new(StringComparer.Ordinal);
    private string job = RoundSwitch;

    /// <inheritdoc />
    public string Kind => "bench";

    /// <inheritdoc />
    public string Project => Path.Combine(Harness, "Perf.Benchmarks.csproj");

    /// <inheritdoc />
    public string NamesAre => "benchmark(s)";

    /// <inheritdoc />
    public string ReproduceOptions => "--filter 'NAME'` (its full name, as listed)";

    /// <inheritdoc />
    public string UnsureAdvice => "give them more rounds with a larger --budget, or a narrower --filter that names them";

    /// <inheritdoc />
    public void Prepare(AbBuild baseBuild, AbBuild headBuild, TextWriter log)
    {
        bool KnowsRounds(AbBuild build) => File.ReadAllText(Path.Combine(build.Worktree, Harness, "Program.cs")).Contains($"\"{RoundSwitch}\"", StringComparison.Ordinal);
        if (!KnowsRounds(baseBuild) || !KnowsRounds(headBuild))
        {
            // Both sides must measure alike: the older harness's --quick job on both, slower but fair.
            job = "--quick";
            log.WriteLine($"note: {(KnowsRounds(baseBuild) ? "head" : "base")} predates the {RoundSwitch} job; both sides run --quick in process (rounds several times longer)");
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AbMeasurement>> RunAsync(AbBuild side, AbRoundRequest request, string logFolder, CancellationToken cancellationToken)
    {
        var artifacts = Directory.CreateTempSubdirectory("perf-gate-bench-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = artifacts,
                ArgumentList = { Path.Combine(side.Worktree, Harness, "bin", "Release", "net10.0", "Perf.Benchmarks.dll"), job, "--inprocess", "--artifacts", artifacts, "--filter" },
            };
            foreach (var pattern in Patterns(request.Only))
            {
                start.ArgumentList.Add(pattern);
            }

            start.Environment["PERF_BENCH_CLOCK"] = "thread-cpu";
            if (Environment.GetEnvironmentVariable(TieredCompilation) is null)
            {
                // Every method optimised at its first call, as every perf process runs: in process,
                // with a round's few iterations, some processes measured a benchmark before its
                // tier-1 code arrived (262 -> 177 ns within one run; ~40 % slower), a bimodal spread
                // that only widened the gate's intervals. BenchmarkDotNet's own remedy (no call
                // counting delay, no OSR) left the workload loop at tier 0 for longer still.
                start.Environment[TieredCompilation] = "0";
            }

            start.Environment.Remove(SlowdownVariable);
            if (side.IsHead && injectSlowdown is not null)
            {
                start.Environment[SlowdownVariable] = injectSlowdown;
            }

            var log = new ProcessLog();
            int exit = await ChildProcess.RunAsync(start, log.Add, log.Add, cancellationToken).ConfigureAwait(false);
            var reports = Directory.Exists(Path.Combine(artifacts, "results"))
                ? Directory.GetFiles(Path.Combine(artifacts, "results"), "*" + BenchmarkReportReader.FileSuffix)
                : [];
            if (exit != 0 || reports.Length == 0)
            {
                throw new BadInputException($"round {request.Round}, {side.Label} ({side.Commit[..12]}): the benchmark process {(exit != 0 ? $"failed (exit {exit})" : "wrote no report (does --filter match anything?)")}; its output: {log.Save(logFolder, request.Round, side.Label)}");
            }

            if (side.IsHead && injectSlowdown is not null && request.Only is null && !log.HasLineStartingWith(SlowdownAnnouncement))
            {
                throw new BadInputException($"--inject-slowdown {injectSlowdown}: no benchmark of this run took it (the hook is in AeadBenchmarks.Seal; does the glob match a full name it ran?)");
            }

            return Measurements(reports);
        }
        finally
        {
            Directory.Delete(artifacts, recursive: true);
        }
    }

    private IEnumerable<string> Patterns(IReadOnlyList<string>? only)
    {
        if (only is null)
        {
            return filters.Count > 0 ? filters : ["*"];
        }

        // BenchmarkDotNet's --filter matches its own full name; only * and ? are special in it.
        return only.Select(name => reportedNames.GetValueOrDefault(name, name));
    }

    private List<AbMeasurement> Measurements(IEnumerable<string> reports)
    {
        var measurements = new List<AbMeasurement>();
        foreach (var report in reports)
        {
            foreach (var benchmark in BenchmarkReportReader.Read(report))
            {
                reportedNames[benchmark.Name] = benchmark.ReportedName;
                if (benchmark.NanosecondsPerOperation.Count > 0)
                {
                    measurements.Add(new AbMeasurement(benchmark.Name, "time", "ns/op", benchmark.NanosecondsPerOperation.Min(), AbMetricKind.Cost));
                }

                if (benchmark.AllocatedBytesPerOperation is { } bytes)
                {
                    measurements.Add(new AbMeasurement(benchmark.Name, "allocated", "B/op", bytes, AbMetricKind.Exact));
                }
            }
        }

        return measurements;
    }
}
