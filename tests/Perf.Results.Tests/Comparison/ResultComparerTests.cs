using Perf.Results.Benchmarks;
using Perf.Results.Comparison;
using Perf.Results.Model;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Comparison;

public sealed class ResultComparerTests
{
    private const string Seal = "Perf.Benchmarks.Aead.Seal(Size: 256)";
    private static readonly ComparisonOptions Defaults = new();

    private static ResultSet Benchmarks(params BenchmarkCase[] cases)
    {
        var set = new ResultSet();
        foreach (var c in cases) set.Benchmarks.Add(c.Name, c);
        return set;
    }

    private static ResultSet Loads(params PerfResult[] results)
    {
        var set = new ResultSet();
        foreach (var r in results) set.Loads.Add(ResultSet.LoadKey(r), r);
        return set;
    }

    private static double[] Noisy(double center, int seed, double noise = 0.02, int count = 15) => BenchmarkReportFixture.Samples(center, noise, count, seed);

    private static ComparisonEntry Only(IReadOnlyList<ComparisonEntry> entries, string metric) => Assert.Single(entries, e => e.Metric == metric);

    [Fact]
    public void Identical_runs_are_the_same()
    {
        var run = Benchmarks(new BenchmarkCase(Seal, Noisy(100, seed: 1), 0));

        var entries = ResultComparer.Compare(run, run, Defaults);

        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(Verdict.Same, e.Verdict));
        Assert.Equal(1.0, Only(entries, "time").Ratio);
    }

    [Fact]
    public void Every_sample_30_percent_slower_is_slower()
    {
        double[] before = Noisy(100, seed: 1);
        var entries = ResultComparer.Compare(
            Benchmarks(new BenchmarkCase(Seal, before, 0)),
            Benchmarks(new BenchmarkCase(Seal, [.. before.Select(v => v * 1.3)], 0)),
            Defaults);

        var time = Only(entries, "time");
        Assert.Equal(Verdict.Slower, time.Verdict);
        Assert.Equal(1.3, time.Ratio!.Value, 6);
        Assert.True(time.PValue < 0.05);
        Assert.True(time.IsRegression);
    }

    [Fact]
    public void Every_sample_30_percent_faster_is_faster()
    {
        double[] before = Noisy(100, seed: 2);
        var entries = ResultComparer.Compare(
            Benchmarks(new BenchmarkCase(Seal, before, null)),
            Benchmarks(new BenchmarkCase(Seal, [.. before.Select(v => v * 0.7)], null)),
            Defaults);

        Assert.Equal(Verdict.Faster, Only(entries, "time").Verdict);
        Assert.DoesNotContain(entries, e => e.Metric == "allocated");
    }

    [Fact]
    public void One_byte_more_allocated_is_a_regression_even_when_time_is_equal()
    {
        double[] samples = Noisy(100, seed: 3);
        var entries = ResultComparer.Compare(
            Benchmarks(new BenchmarkCase(Seal, samples, 64)),
            Benchmarks(new BenchmarkCase(Seal, samples, 65)),
            Defaults);

        Assert.Equal(Verdict.Same, Only(entries, "time").Verdict);
        var allocated = Only(entries, "allocated");
        Assert.Equal(Verdict.Slower, allocated.Verdict);
        Assert.Equal(64, allocated.Baseline);
        Assert.Equal(65, allocated.Current);
    }

    [Fact]
    public void Fewer_bytes_allocated_is_faster()
    {
        double[] samples = Noisy(100, seed: 3);
        var entries = ResultComparer.Compare(Benchmarks(new BenchmarkCase(Seal, samples, 64)), Benchmarks(new BenchmarkCase(Seal, samples, 0)), Defaults);

        Assert.Equal(Verdict.Faster, Only(entries, "allocated").Verdict);
    }

    [Fact]
    public void Two_percent_noise_on_both_sides_is_the_same()
    {
        var entries = ResultComparer.Compare(
            Benchmarks(new BenchmarkCase(Seal, Noisy(100, seed: 10), 0)),
            Benchmarks(new BenchmarkCase(Seal, Noisy(100, seed: 11), 0)),
            Defaults);

        Assert.All(entries, e => Assert.Equal(Verdict.Same, e.Verdict));
    }

    [Fact]
    public void A_significant_but_tiny_shift_is_the_same()
    {
        // 2% slower with ±0.1% noise: Mann-Whitney certainly rejects equality, but 2% is inside the 5% threshold.
        var entries = ResultComparer.Compare(
            Benchmarks(new BenchmarkCase(Seal, Noisy(100, seed: 4, noise: 0.001), null)),
            Benchmarks(new BenchmarkCase(Seal, Noisy(102, seed: 5, noise: 0.001), null)),
            Defaults);

        var time = Only(entries, "time");
        Assert.True(time.PValue < 0.05);
        Assert.Equal(Verdict.Same, time.Verdict);
        Assert.Equal("significant, within threshold", time.Note);
    }

    [Fact]
    public void A_large_shift_that_is_not_significant_is_the_same()
    {
        // Two iterations a side, medians 105 vs 155: a big ratio, but the smallest two-sided Mann-Whitney p-value
        // for 2 + 2 samples is 2/6 = 0.33, so four numbers can never be significant at 0.05.
        var entries = ResultComparer.Compare(
            Benchmarks(new BenchmarkCase(Seal, [100, 110], null)),
            Benchmarks(new BenchmarkCase(Seal, [150, 160], null)),
            Defaults with { MinIterations = 2 });

        var time = Only(entries, "time");
        Assert.Equal(Verdict.Same, time.Verdict);
        Assert.Equal("not significant", time.Note);
    }

    [Fact]
    public void Too_few_iterations_is_inconclusive_not_a_regression()
    {
        var entries = ResultComparer.Compare(
            Benchmarks(new BenchmarkCase(Seal, [100, 101, 99], null)),
            Benchmarks(new BenchmarkCase(Seal, [200, 201, 199], null)),
            Defaults);

        var time = Only(entries, "time");
        Assert.Equal(Verdict.Inconclusive, time.Verdict);
        Assert.False(time.IsRegression);
    }

    [Fact]
    public void Entries_in_one_side_only_are_added_or_removed()
    {
        var entries = ResultComparer.Compare(
            Benchmarks(new BenchmarkCase("Old", Noisy(1, 1), 0), new BenchmarkCase(Seal, Noisy(100, 1), 0)),
            Benchmarks(new BenchmarkCase("New", Noisy(1, 1), 0), new BenchmarkCase(Seal, Noisy(100, 1), 0)),
            Defaults);

        Assert.Equal(Verdict.Added, Assert.Single(entries, e => e.Name == "New").Verdict);
        Assert.Equal(Verdict.Removed, Assert.Single(entries, e => e.Name == "Old").Verdict);
        Assert.DoesNotContain(entries, e => e.IsRegression);
    }

    [Fact]
    public void A_rule_can_loosen_one_benchmarks_threshold()
    {
        double[] before = Noisy(100, seed: 6);
        var rules = new ThresholdRules();
        rules.Add("*Aead.Seal*/time", 0.5);

        var entries = ResultComparer.Compare(
            Benchmarks(new BenchmarkCase(Seal, before, null)),
            Benchmarks(new BenchmarkCase(Seal, [.. before.Select(v => v * 1.3)], null)),
            Defaults with { Rules = rules });

        var time = Only(entries, "time");
        Assert.Equal(0.5, time.Threshold);
        Assert.Equal(Verdict.Same, time.Verdict);
    }

    [Fact]
    public void Load_latency_percentiles_are_compared_by_threshold()
    {
        // p99 900 -> 1000 µs is +11.1%, beyond the 10% latency threshold; the other values are unchanged.
        var entries = ResultComparer.Compare(Loads(ResultFixture.Load(p99: 900)), Loads(ResultFixture.Load(p99: 1000)), Defaults);

        var p99 = Only(entries, "end_to_end_us.p99");
        Assert.Equal(Verdict.Slower, p99.Verdict);
        Assert.Null(p99.PValue);
        Assert.Equal(Verdict.Same, Only(entries, "end_to_end_us.p50").Verdict);
        Assert.Equal(Verdict.Same, Only(entries, "max_sustainable_rate").Verdict);
        Assert.Equal(Verdict.Same, Only(entries, "delivered_share").Verdict);
        // seal, open, end-to-end and generator lag × p50/p99/p999, the delivered share and the rate.
        Assert.Equal((4 * 3) + 1 + 1, entries.Count);
    }

    [Fact]
    public void A_run_that_delivers_one_percent_fewer_of_its_messages_is_worse()
    {
        // A flooded run beside the same run without the flood: 99.998 % delivered, then 98.5 %, then 99.5 %.
        var baseline = ResultFixture.Load();
        var flooded = baseline with { Metrics = baseline.Metrics with { Delivered = 591_000, Lost = 9_000 } };
        var nearly = baseline with { Metrics = baseline.Metrics with { Delivered = 597_000, Lost = 3_000 } };

        var worse = Only(ResultComparer.Compare(Loads(baseline), Loads(flooded), Defaults), "delivered_share");
        var within = Only(ResultComparer.Compare(Loads(baseline), Loads(nearly), Defaults), "delivered_share");

        Assert.Equal(Verdict.Slower, worse.Verdict);
        Assert.Equal(98.5, worse.Current!.Value, 6);
        Assert.Equal("%", worse.Unit);
        Assert.Equal(Verdict.Same, within.Verdict);
    }

    [Fact]
    public void Load_latency_within_threshold_is_the_same()
    {
        // 900 -> 980 µs is +8.9%, inside 10%.
        var entries = ResultComparer.Compare(Loads(ResultFixture.Load(p99: 900)), Loads(ResultFixture.Load(p99: 980)), Defaults);

        Assert.Equal(Verdict.Same, Only(entries, "end_to_end_us.p99").Verdict);
    }

    [Fact]
    public void A_lower_sustainable_rate_is_slower_and_a_higher_one_faster()
    {
        // 40000 -> 37000 is -7.5%, beyond the 5% rate threshold; 40000 -> 44000 is +10%.
        var lower = ResultComparer.Compare(Loads(ResultFixture.Load(maxRate: 40_000)), Loads(ResultFixture.Load(maxRate: 37_000)), Defaults);
        var higher = ResultComparer.Compare(Loads(ResultFixture.Load(maxRate: 40_000)), Loads(ResultFixture.Load(maxRate: 44_000)), Defaults);

        Assert.Equal(Verdict.Slower, Only(lower, "max_sustainable_rate").Verdict);
        Assert.Equal(Verdict.Faster, Only(higher, "max_sustainable_rate").Verdict);
    }

    [Theory]
    [InlineData(-0.01, 0.05, 5)]
    [InlineData(0.05, 0, 5)]
    [InlineData(0.05, 1.5, 5)]
    [InlineData(0.05, 0.05, 1)]
    public void Out_of_range_options_are_bad_input(double threshold, double alpha, int minIterations)
    {
        var options = new ComparisonOptions { Threshold = threshold, Alpha = alpha, MinIterations = minIterations };

        Assert.Throws<BadInputException>(() => ResultComparer.Compare(new ResultSet(), new ResultSet(), options));
    }
}
