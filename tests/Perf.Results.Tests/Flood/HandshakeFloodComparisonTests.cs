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

    private static LoadMetrics Metrics(long sent, long delivered, double p99) => ResultFixture.Load().Metrics with
    {
        GeneratorLagUs = null,
        Sent = sent,
        Delivered = delivered,
        Lost = sent - delivered,
        EndToEndUs = ResultFixture.Latency(p99 / 4, p99, p99 * 2),
    };
}
