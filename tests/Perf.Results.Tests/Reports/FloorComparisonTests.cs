using Perf.Results.Model;
using Perf.Results.Reports.Run;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Reports;

public sealed class FloorComparisonTests
{
    private static PerfResult Run(string target, double p99, int minute, double rate = 20_000) => ResultFixture.Load(p99: p99) with
    {
        FindMax = null,
        StartedAt = ResultFixture.Load().StartedAt.AddMinutes(minute),
        Scenario = ResultFixture.Load().Scenario with { Target = target, Rate = rate },
    };

    [Fact]
    public void A_runs_floor_is_the_echo_of_its_load_measured_last_before_it()
    {
        var echo1 = Run("echo", 400, 0);
        var echoOtherRate = Run("echo", 100, 1, rate: 5_000);
        var relay1 = Run("relay-tcp", 1_200, 2);
        var echo2 = Run("echo", 800, 3);
        var relay2 = Run("relay-tcp", 2_000, 4);
        PerfResult[] runs = [relay2, echo2, relay1, echoOtherRate, echo1];

        Assert.Same(echo1, FloorComparison.FloorOf(runs, relay1));
        Assert.Same(echo2, FloorComparison.FloorOf(runs, relay2));
        Assert.Equal(2.5, FloorComparison.Ratio(runs, relay2));

        // A run before any echo of its load takes the first one after it; a load with no echo of its own has no floor.
        var early = Run("relay-tcp", 900, -1);
        Assert.Same(echo1, FloorComparison.FloorOf([.. runs, early], early));
        var lone = Run("relay-tcp", 900, 5, rate: 1_000);
        Assert.Null(FloorComparison.FloorOf([.. runs, lone], lone));
        Assert.Null(FloorComparison.Ratio([.. runs, lone], lone));
        Assert.Null(FloorComparison.FloorOf([relay1], relay1));

        // A find-max search's floor is an echo search, not a fixed-rate echo.
        var search = ResultFixture.Load() with { StartedAt = relay2.StartedAt.AddMinutes(1), Scenario = relay2.Scenario };
        Assert.Null(FloorComparison.FloorOf([.. runs, search], search));
        var echoSearch = ResultFixture.Load() with { StartedAt = relay2.StartedAt, Scenario = relay2.Scenario with { Target = "echo" } };
        Assert.Same(echoSearch, FloorComparison.FloorOf([.. runs, echoSearch, search], search));
    }

    [Fact]
    public void Rounds_summarize_as_median_and_range_the_floor_first()
    {
        PerfResult[] runs = [Run("relay-tcp", 1_200, 1), Run("echo", 400, 0), Run("echo", 800, 2), Run("relay-tcp", 2_000, 3), Run("echo", 500, 4), Run("relay-tcp", 2_000, 5)];

        var rows = FloorComparison.Summarize(runs);

        Assert.Equal(2, rows.Count);
        Assert.True(rows[0].IsFloor);
        Assert.Equal("floor", rows[0].RatioText);
        var relay = rows[1];
        Assert.Equal(3, relay.Runs);
        Assert.Equal(3.0, relay.RatioMedian); // 3, 2.5, 4
        Assert.Equal((2.5, 4.0), (relay.RatioMin!.Value, relay.RatioMax!.Value));
        Assert.Equal((400.0, 800.0), (relay.FloorP99MinUs!.Value, relay.FloorP99MaxUs!.Value));
        Assert.Equal("3× (2.5–4×)", relay.RatioText);
        Assert.Null(relay.Note);
    }

    [Fact]
    public void A_ratio_below_one_is_flagged_with_its_likely_cause()
    {
        // A steady floor, one round: one run cannot tell noise from speed.
        var once = FloorComparison.Summarize([Run("echo", 400, 0), Run("relay-tcp", 300, 1)]);
        Assert.StartsWith("below 1: one run cannot tell", once[1].Note, StringComparison.Ordinal);

        // A steady floor, several rounds: both sit in the machine's noise.
        var steady = FloorComparison.Summarize([Run("echo", 400, 0), Run("relay-tcp", 300, 1), Run("echo", 420, 2), Run("relay-tcp", 500, 3)]);
        Assert.StartsWith("below 1: at this rate both p99s sit in the machine's noise", steady[1].Note, StringComparison.Ordinal);

        // A floor that moved 1.5× or more between rounds: that is the cause.
        var moved = FloorComparison.Summarize([Run("echo", 411, 0), Run("relay-tcp", 900, 1), Run("echo", 782, 2), Run("relay-tcp", 550, 3)]);
        Assert.StartsWith("below 1: the floor's own p99 moved 411 µs → 782 µs between rounds", moved[1].Note, StringComparison.Ordinal);
        Assert.StartsWith("the floor's own p99 moved 411 µs → 782 µs between runs", moved[0].Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_are_labelled_by_what_was_run_and_their_round()
    {
        Assert.Equal("relay-tcp, 256 B, find-max p99 ≤ 50 ms", RunDescription.Label(ResultFixture.Load()));
        Assert.Equal("relay-tcp, 256 B, 5,000 msgs/s", RunDescription.Label(Run("relay-tcp", 900, 0, rate: 5_000)));
        Assert.Equal(2, RunDescription.Round(Path.Combine("results", "runs", "x", "round-2", "runs", "y", "result.json")));
        Assert.Null(RunDescription.Round(Path.Combine("results", "runs", "around-2", "result.json")));
    }
}
