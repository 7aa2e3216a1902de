using System.CommandLine.Parsing;
using System.Diagnostics;
using Perf.Cli.Bench;
using Perf.Results;
using Perf.Results.Comparison;
using Perf.Results.Files;

namespace Perf.Cli.Results;

/// <summary>
/// The load side of <c>perf gate --ab --load</c>: each process is the commit's built <c>perf load</c>
/// (so its <c>perf relay</c> child is that commit's relay) with the target in its own process
/// (<c>--target-process</c>, relay-tcp unless the arguments name another) and, on a machine with
/// two or more CPUs, pinned: <c>--target-cpus 1 --generator-cpus 0</c>. A round's values are the
/// run's <c>target.cpu_us_per_message</c> (gated by <c>--threshold</c>) and end-to-end p99 (gated
/// by <c>--latency-threshold</c>).
/// </summary>
internal sealed class AbLoadSuite : IAbSuite
{
    /// <summary>The scenario when <c>--load</c> is given without arguments.</summary>
    public const string DefaultArguments = "--rate 5000 --duration 10s --warmup 2s";

    private static readonly string[] Refused = ["--targets", "--out", "--find-max", "--idle-connections", "--reconnect-storm"];
    private readonly List<string> arguments;

    /// <summary>A load suite running <c>perf load</c> with <paramref name="loadArguments"/> plus what the gate adds.</summary>
    /// <exception cref="BadInputException">When the arguments hold an option the gate cannot compare (several targets, find-max, ...).</exception>
    public AbLoadSuite(string loadArguments)
    {
        arguments = [.. CommandLineParser.SplitCommandLine(loadArguments)];
        foreach (var refused in Refused)
        {
            if (arguments.Exists(a => a == refused || a.StartsWith(refused + "=", StringComparison.Ordinal)))
            {
                throw new BadInputException($"--load: {refused} does not fit a gate (one target, one measured window per run)");
            }
        }

        if (!Has("--target")) arguments.InsertRange(0, ["--target", "relay-tcp"]);
        if (!Has("--target-process") && !Has("--relay-process")) arguments.Add("--target-process");
        if (Environment.ProcessorCount >= 2 && !Has("--target-cpus") && !Has("--generator-cpus"))
        {
            arguments.AddRange(["--target-cpus", "1", "--generator-cpus", "0"]);
        }
    }

    /// <summary>The arguments every run gets (before <c>--out</c>).</summary>
    public string Arguments => string.Join(' ', arguments);

    /// <inheritdoc />
    public string Kind => "load";

    /// <inheritdoc />
    public string Project => Path.Combine("src", "Perf.Cli", "Perf.Cli.csproj");

    /// <inheritdoc />
    public string NamesAre => "scenario";

    /// <inheritdoc />
    public string ReproduceOptions => $"--load '{string.Join(' ', arguments)}'`";

    /// <inheritdoc />
    public string UnsureAdvice => "give them more rounds with a larger --budget, or a longer --duration in --load";

    /// <inheritdoc />
    public void Prepare(AbBuild baseBuild, AbBuild headBuild, TextWriter log) => log.WriteLine($"load: perf load {Arguments}");

    /// <inheritdoc />
    public async Task<IReadOnlyList<AbMeasurement>> RunAsync(AbBuild side, AbRoundRequest request, string logFolder, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("perf-gate-load-").FullName;
        try
        {
            var resultPath = Path.Combine(folder, "result.json");
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = side.Worktree };
            start.ArgumentList.Add(Path.Combine(side.Worktree, "src", "Perf.Cli", "bin", "Release", "net10.0", "perf.dll"));
            start.ArgumentList.Add("load");
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            start.ArgumentList.Add("--out");
            start.ArgumentList.Add(resultPath);
            var log = new ProcessLog();
            int exit = await ChildProcess.RunAsync(start, log.Add, log.Add, cancellationToken).ConfigureAwait(false);
            if (exit != 0 || !File.Exists(resultPath))
            {
                throw new BadInputException($"round {request.Round}, {side.Label} ({side.Commit[..12]}): perf load failed (exit {exit}); its output: {log.Save(logFolder, request.Round, side.Label)}");
            }

            var result = ResultFile.Read(resultPath);
            string name = ResultSet.LoadKey(result);
            if (result.Target?.CpuUsPerMessage is not { } cpu || result.Metrics.EndToEndUs is not { } endToEnd)
            {
                throw new BadInputException($"round {request.Round}, {side.Label}: the load result has no target CPU per message or no end-to-end latency ({resultPath})");
            }

            return
            [
                new AbMeasurement(name, "target.cpu_us_per_message", "us/msg", cpu, AbMetricKind.Cost),
                new AbMeasurement(name, "end_to_end_us.p99", "us", endToEnd.Percentile("p99"), AbMetricKind.Latency),
            ];
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private bool Has(string option) => arguments.Exists(a => a == option || a.StartsWith(option + "=", StringComparison.Ordinal));
}
