using HdrHistogram;
using Perf.Load.Engine;
using Perf.Load.Recording;
using Perf.Results.Files;
using Perf.Results.Model;

namespace Perf.Load.Output;

/// <summary>
/// Turns what a run recorded into a <c>perf-result/1</c> file and writes it with its
/// <c>.hlog</c> interval logs and percentile distributions: the files every later step
/// (compare, gate, report, capacity) reads.
/// </summary>
public static class LoadResultFiles
{
    /// <summary>Builds the result of <paramref name="run"/>; <paramref name="findMax"/> adds the throughput-latency curve.</summary>
    /// <param name="run">The measured run (for a search, its best step, or its last when none passed).</param>
    /// <param name="command">The command line, already stripped of secrets.</param>
    /// <param name="cipher">Cipher name as given.</param>
    /// <param name="backend">Backend name as given.</param>
    /// <param name="environment">The environment the run measured.</param>
    /// <param name="findMax">The find-max search, when one ran.</param>
    /// <param name="target">What the target's process used, when it ran in its own process.</param>
    /// <param name="generator">What the generator used, recorded when the target ran in its own process (else it includes the target).</param>
    public static PerfResult ToResult(LoadRunResult run, string command, string cipher, string backend, EnvironmentInfo environment, FindMaxSearchResult? findMax = null, TargetUsage? target = null, GeneratorUsage? generator = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var r = run.Recorders;
        return new PerfResult
        {
            Tool = "perf",
            Command = command,
            Scenario = new Scenario
            {
                Target = run.Target,
                Connections = run.Scenario.Connections,
                Rate = run.Scenario.RatePerSecond,
                Size = run.Scenario.MessageSize,
                DurationS = run.Scenario.Duration.TotalSeconds,
                WarmupS = run.Scenario.Warmup.TotalSeconds,
                Arrival = run.Scenario.Arrival == ArrivalProcess.Poisson ? "poisson" : "constant",
                Cipher = cipher,
                Backend = backend,
            },
            Environment = environment,
            StartedAt = run.StartedAt,
            Metrics = new LoadMetrics
            {
                SealUs = Metric(run, LoadStage.Seal),
                ForwardUs = Metric(run, LoadStage.Forward),
                OpenUs = Metric(run, LoadStage.Open),
                EndToEndUs = Metric(run, LoadStage.EndToEnd),
                GeneratorLagUs = Metric(run, LoadStage.GeneratorLag),
                Sent = r.Sent,
                Accepted = r.Accepted,
                Delivered = r.Delivered,
                Rejected = r.Rejected,
                Lost = run.Lost,
                Duplicates = r.Duplicates,
                Errors = r.Errors,
                ErrorsByReason = r.Errors > 0 ? r.ErrorReasons : null,
                ThroughputMsgsPerS = run.ThroughputPerSecond,
            },
            FindMax = findMax is null ? null : ToFindMax(findMax),
            Target = target,
            Generator = generator,
        };
    }

    /// <summary>Writes <paramref name="result"/> and the run's interval logs into <paramref name="folder"/>; returns the result file's path.</summary>
    public static string Write(string folder, PerfResult result, LoadRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var intervals = new Dictionary<string, IEnumerable<HistogramBase>>();
        foreach (var stage in LoadStageNames.All)
        {
            if (run.Has(stage))
            {
                intervals[LoadStageNames.MetricName(stage)] = Decoded(run.Recorders.Intervals(stage));
            }
        }

        return RunFiles.Write(folder, result, intervals);
    }

    // Decoded one at a time as the log writer takes them: a full histogram is ~190 KB.
    private static IEnumerable<HistogramBase> Decoded(IReadOnlyList<LoadInterval> intervals)
    {
        foreach (var interval in intervals)
        {
            yield return interval.Histogram();
        }
    }

    private static FindMax ToFindMax(FindMaxSearchResult search)
    {
        var steps = new List<FindMaxStep>(search.Steps.Count);
        foreach (var step in search.Steps)
        {
            steps.Add(new FindMaxStep
            {
                Rate = step.OfferedRate,
                DeliveredRate = step.DeliveredRate,
                P50Us = step.P50,
                P99Us = step.P99,
                P999Us = step.P999,
                Passed = step.Passed,
                Reason = step.Reason,
                TargetCores = step.TargetCores,
                TargetCpuUsPerMessage = step.TargetCpuMicrosecondsPerMessage,
            });
        }

        return new FindMax { Slo = search.Slo, Steps = steps, MaxSustainableRate = search.MaxSustainableRate, StopReason = search.StopReason, GeneratorBound = search.GeneratorBound };
    }

    private static LatencyMetric? Metric(LoadRunResult run, LoadStage stage) =>
        run.Has(stage) ? LatencyMetric.FromHistogram(run.Recorders.Total(stage)) : null;
}
