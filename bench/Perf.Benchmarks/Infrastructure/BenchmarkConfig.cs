using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Perf.Benchmarks.Infrastructure;

/// <summary>
/// The suite's configuration: allocations measured (MemoryDiagnoser), throughput in bytes/s
/// for benchmarks with a <c>Size</c> parameter, and the full JSON exporter (which keeps every
/// iteration's measurement, what <c>perf gate</c>'s statistical test reads). <c>--quick</c>
/// uses a short job that still measures 10 iterations, enough for a Mann–Whitney test;
/// <c>--smoke</c> a very short one for <c>perf quick</c>'s first look; <c>--round</c> one round of
/// <c>perf gate --ab</c>. <c>PERF_BENCH_CLOCK=thread-cpu</c> times iterations by thread CPU time
/// (<see cref="ThreadCpuClock"/>) on a shared machine.
/// </summary>
public static class BenchmarkConfig
{
    /// <summary>Warm-up iterations of a <see cref="BenchmarkJob.Round"/>.</summary>
    public const int RoundWarmupCount = 2;

    /// <summary>Measured iterations of a <see cref="BenchmarkJob.Round"/>.</summary>
    public const int RoundIterationCount = 6;

    /// <summary>Length of one <see cref="BenchmarkJob.Round"/> iteration, milliseconds (of thread CPU time under <c>PERF_BENCH_CLOCK=thread-cpu</c>).</summary>
    public const int RoundIterationMilliseconds = 25;

    /// <summary>The configuration for a run with <paramref name="kind"/>'s job, optionally in process.</summary>
    public static IConfig Create(BenchmarkJob kind, bool inProcess)
    {
        var job = kind switch
        {
            BenchmarkJob.Quick => Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("Quick"),
            BenchmarkJob.Smoke => Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).WithIterationTime(TimeInterval.FromMilliseconds(100)).WithId("Smoke"),
            // The gate's verdict comes from the spread between rounds (fresh processes), not
            // within one, so a round measures little: ~0.5 s of CPU per benchmark with 25 ms
            // iterations, ~20 s for the 38-benchmark AEAD seal + E2E set, so ~10 rounds fit a
            // 15-minute budget. No overhead subtraction: the empty loop's cost is the same on
            // both sides of a ratio, and subtracting its estimate adds noise.
            BenchmarkJob.Round => Job.Default.WithLaunchCount(1).WithWarmupCount(RoundWarmupCount).WithIterationCount(RoundIterationCount).WithEvaluateOverhead(false).WithId("Round"),
            _ => Job.Default.WithId("Default"),
        };
        if (inProcess)
        {
            job = job.WithToolchain(InProcessEmitToolchain.Instance);
        }

        if (Environment.GetEnvironmentVariable("PERF_BENCH_CLOCK") == "thread-cpu")
        {
            // 100 ms of CPU per iteration: on a shared machine an iteration's wall time is several
            // times its CPU time, and the CPU clock needs no long iterations to average noise away.
            job = job.WithClock(ThreadCpuClock.Instance).WithIterationTime(TimeInterval.FromMilliseconds(100));
        }

        if (kind == BenchmarkJob.Round)
        {
            job = job.WithIterationTime(TimeInterval.FromMilliseconds(RoundIterationMilliseconds));
        }

        return DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(new ThroughputColumn())
            .AddExporter(JsonExporter.Full)
            .AddExporter(MarkdownExporter.GitHub)
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40))
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile)
            // The generated child project builds in about a minute on an idle 2-core machine and in
            // more than BenchmarkDotNet's default two when other builds share it (seen here).
            .WithBuildTimeout(TimeSpan.FromMinutes(10));
    }
}

/// <summary>How long a run measures.</summary>
public enum BenchmarkJob
{
    /// <summary>BenchmarkDotNet's default job: as many iterations as it takes to be stable.</summary>
    Default,

    /// <summary>3 warm-up and 10 measured iterations, one launch.</summary>
    Quick,

    /// <summary>1 warm-up and 5 iterations of 100 ms: a first look, not a gate.</summary>
    Smoke,

    /// <summary>One round of <c>perf gate --ab</c>: 2 warm-up and 6 measured iterations of 25 ms, no overhead evaluation.</summary>
    Round,
}
