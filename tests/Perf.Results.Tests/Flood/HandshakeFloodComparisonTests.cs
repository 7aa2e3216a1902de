using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Flood;

/// <summary>
/// The result's flood comparison (<c>--handshake-flood-baseline</c>): the legitimate clients'
/// delivery and p99 without the flood and under it, side by side in <c>handshake_flood</c>.
/// </summary>
public sealed class HandshakeFloodComparisonTests
{
    private static readonly HandshakeFloodCounts None = new() { Attempted = 0, Refused = 0, Answered = 0, Unanswered = 0, Failed = 0, Skipped = 0 };
    private static readonly HandshakeFloodRun Counts = new() { RatePerSecond = 5_000, Kinds = "both", Source = "127.0.0.254", Seconds = 30, Garbage = None, Abandoned = None };

    [Fact]
    public void The_comparison_holds_each_runs_delivery_and_p99_and_their_ratio()
    {
        var without = Metrics(sent: 150_000, delivered: 150_000, p99: 800);
        var with = Metrics(sent: 150_000, delivered: 148_800, p99: 1_400);

        var flood = Counts.WithBaseline(FloodClients.Of(without), FloodClients.Of(with));

        Assert.Equal(new FloodClients { Sent = 150_000, Delivered = 150_000, Lost = 0, DeliveredPercent = 100, P99Us = 800 }, flood.Baseline);
        Assert.Null(flood.RelayCpuUsPerConnection); // neither run read the relay's CPU
        Assert.Equal(99.2, flood.Flooded!.DeliveredPercent, 9);
        Assert.Equal(1_200, flood.Flooded.Lost);
        Assert.Equal(1.75, flood.P99Ratio!.Value, 9);
        Assert.Equal(Counts.Garbage, flood.Garbage);
    }

    [Fact]
    public void Without_end_to_end_latency_or_a_baseline_p99_there_is_no_ratio()
    {
        var without = Metrics(sent: 10, delivered: 10, p99: 0);
        var withoutLatency = Metrics(sent: 10, delivered: 10, p99: 5) with { EndToEndUs = null };

        Assert.Null(Counts.WithBaseline(FloodClients.Of(without), FloodClients.Of(Metrics(10, 10, 900))).P99Ratio);
        Assert.Null(Counts.WithBaseline(FloodClients.Of(Metrics(10, 10, 900)), FloodClients.Of(withoutLatency)).P99Ratio);
        Assert.Equal(0, Counts.WithBaseline(FloodClients.Of(Metrics(0, 0, 900)), FloodClients.Of(Metrics(0, 0, 900))).Baseline!.DeliveredPercent);
    }

    [Fact]
    public void The_relays_cpu_per_flood_connection_is_its_extra_cores_over_the_floods_time_per_connection_that_reached_it()
    {
        // 30 s of flood; 150,000 garbage and 150,000 abandoned attempts, 10,000 of them never connected.
        var counts = Counts with
        {
            Garbage = None with { Attempted = 150_000, Refused = 150_000 },
            Abandoned = None with { Attempted = 150_000, Refused = 139_000, Answered = 1_000, Failed = 10_000 },
        };
        var without = FloodClients.Of(Metrics(150_000, 150_000, 300), targetCores: 0.2, generatorCores: 0.5);
        var lagged = Metrics(150_000, 150_000, 600) with { GeneratorLagUs = ResultFixture.Latency(100, 1_800, 3_000) };
        var with = FloodClients.Of(lagged, targetCores: 0.9, generatorCores: 0.5);

        var flood = counts.WithBaseline(without, with);

        Assert.Equal(0.7 * 30 * 1e6 / 290_000, flood.RelayCpuUsPerConnection!.Value, 6);
        Assert.Equal((0.2, 0.9), (flood.Baseline!.TargetCores!.Value, flood.Flooded!.TargetCores!.Value));
        Assert.Equal(lagged.GeneratorLagUs!.P99, flood.Flooded.GeneratorLagP99Us);
        Assert.Null(flood.Baseline.GeneratorLagP99Us);
    }

    [Fact]
    public void A_baseline_without_its_flooded_half_is_refused()
    {
        var soak = ResultFixture.Soak();
        var json = ResultFile.ToJson(soak with { HandshakeFlood = soak.HandshakeFlood! with { Flooded = null } });

        var ex = Assert.Throws<BadInputException>(() => ResultFile.Parse(json, "flood.json"));

        Assert.Contains("handshake_flood.baseline and handshake_flood.flooded come together", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_earlier_pairs_the_ratio_is_the_median_of_every_pairs_and_the_last_pair_is_the_results_own()
    {
        var main = Counts.WithBaseline(FloodClients.Of(Metrics(100, 100, 1_000)), FloodClients.Of(Metrics(100, 100, 1_500)));
        FloodPair Pair(bool floodFirst, double without, double with) => new() { FloodFirst = floodFirst, Baseline = FloodClients.Of(Metrics(100, 100, without)), Flooded = FloodClients.Of(Metrics(100, 100, with)) };

        // Ratios 6.0 (a noisy run), 1.2, 2.0, and the result's own 1.5: the median of four is (1.5 + 2.0) / 2.
        var four = main.WithEarlierPairs([Pair(true, 500, 3_000), Pair(false, 1_000, 1_200), Pair(true, 800, 1_600)]);
        Assert.Equal(1.75, four.P99Ratio!.Value, 9);
        Assert.Equal(4, four.Pairs!.Count);
        Assert.Equal((main.Baseline, main.Flooded, false), (four.Pairs[^1].Baseline, four.Pairs[^1].Flooded, four.Pairs[^1].FloodFirst));
        Assert.Equal(6.0, four.Pairs[0].P99Ratio!.Value, 9);
        Assert.Same(main.Baseline, four.Baseline); // the result's own pair stays baseline and flooded

        // Three: the middle one; a pair without a baseline p99 has no ratio and no vote.
        Assert.Equal(1.5, main.WithEarlierPairs([Pair(true, 500, 3_000), Pair(false, 1_000, 1_200)]).P99Ratio!.Value, 9);
        var voteless = main.WithEarlierPairs([Pair(true, 0, 3_000)]);
        Assert.Null(voteless.Pairs![0].P99Ratio);
        Assert.Equal(1.5, voteless.P99Ratio!.Value, 9);
    }

    [Fact]
    public void Pairs_need_a_comparison_and_a_file_whose_last_pair_is_not_its_baseline_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => Counts.WithEarlierPairs([]));

        var soak = ResultFixture.Soak();
        var flood = soak.HandshakeFlood!;
        var tampered = flood with { Pairs = [flood.Pairs![0], flood.Pairs[0]] };
        var ex = Assert.Throws<BadInputException>(() => ResultFile.Parse(ResultFile.ToJson(soak with { HandshakeFlood = tampered }), "flood.json"));
        Assert.Contains("handshake_flood.pairs needs baseline and flooded, which are its last pair", ex.Message, StringComparison.Ordinal);

        // The fixture's own pairs read back as written: median of 2.0 and 1.5.
        var read = ResultFile.Parse(ResultFile.ToJson(soak), "soak.json").HandshakeFlood!;
        Assert.Equal(1.75, read.P99Ratio!.Value, 9);
        Assert.Equal(flood.Pairs, read.Pairs);
    }

    private static LoadMetrics Metrics(long sent, long delivered, double p99) => ResultFixture.Load().Metrics with
    {
        GeneratorLagUs = null,
        Sent = sent,
        Delivered = delivered,
        Lost = sent - delivered,
        EndToEndUs = ResultFixture.Latency(p99 / 4, p99, p99 * 2),
    };
}
