using BenchmarkDotNet.Jobs;
using Perf.Benchmarks.Infrastructure;

namespace Perf.Benchmarks.Tests;

/// <summary>The job one round of <c>perf gate --ab</c> runs: short, because the verdict comes from many rounds.</summary>
public sealed class RoundJobTests
{
    [Fact]
    public void A_round_measures_6_iterations_of_25_ms_after_2_warm_ups_without_overhead_evaluation()
    {
        var job = Assert.Single(BenchmarkConfig.Create(BenchmarkJob.Round, inProcess: true).GetJobs());

        Assert.Equal("Round", job.Id);
        Assert.Equal(BenchmarkConfig.RoundWarmupCount, job.Run.WarmupCount);
        Assert.Equal(BenchmarkConfig.RoundIterationCount, job.Run.IterationCount);
        Assert.Equal(1, job.Run.LaunchCount);
        Assert.Equal(BenchmarkConfig.RoundIterationMilliseconds, job.Run.IterationTime.ToMilliseconds(), 6);
        Assert.False(job.Accuracy.EvaluateOverhead);
        Assert.Equal((2, 6, 25), (BenchmarkConfig.RoundWarmupCount, BenchmarkConfig.RoundIterationCount, BenchmarkConfig.RoundIterationMilliseconds));
    }
}
