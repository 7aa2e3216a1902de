using Perf.Load.Targets.Cluster;

namespace Perf.Load.Tests.Targets;

/// <summary><c>--fault-schedule random:EVERY</c>: a restart every EVERY of the window, of a node picked by the seed alone.</summary>
public sealed class RandomFaultScheduleTests
{
    [Fact]
    public void One_restart_falls_at_each_multiple_of_every_inside_the_window()
    {
        var faults = new RandomFaultSchedule(TimeSpan.FromSeconds(30), 5).Faults(relayNodes: 3, natsNodes: 3, TimeSpan.FromMinutes(10));

        Assert.Equal(19, faults.Count); // 30 s, 60 s, ... 570 s: not 600 s, which is the window's end
        for (var i = 0; i < faults.Count; i++)
        {
            Assert.Equal(TimeSpan.FromSeconds(30 * (i + 1)), faults[i].At);
            Assert.Equal(FaultAction.Restart, faults[i].Action);
            Assert.InRange(faults[i].Node, 0, 2);
            Assert.Null(faults[i].Check(3, 3, TimeSpan.FromMinutes(10)));
        }

        // Over 19 picks from six nodes both kinds come up.
        Assert.Contains(faults, f => f.Kind == FaultNodeKind.Relay);
        Assert.Contains(faults, f => f.Kind == FaultNodeKind.Nats);
    }

    [Fact]
    public void The_same_seed_and_cluster_give_the_same_faults_and_another_seed_others()
    {
        var window = TimeSpan.FromMinutes(10);
        var first = new RandomFaultSchedule(TimeSpan.FromSeconds(30), 42).Faults(3, 3, window);
        var again = new RandomFaultSchedule(TimeSpan.FromSeconds(30), 42).Faults(3, 3, window);
        var other = new RandomFaultSchedule(TimeSpan.FromSeconds(30), 43).Faults(3, 3, window);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void The_seed_the_chaos_test_uses_restarts_both_kinds_of_node_in_a_40_second_window()
    {
        // RelayClusterChaosTests relies on this: relay, NATS, relay.
        var faults = new RandomFaultSchedule(TimeSpan.FromSeconds(10), 7).Faults(relayNodes: 2, natsNodes: 1, TimeSpan.FromSeconds(40));

        Assert.Equal(["restart:relay:1@10s", "restart:nats:0@20s", "restart:relay:1@30s"], faults.Select(f => f.ToString()));
    }

    [Theory]
    [InlineData("random:30s", 30)]
    [InlineData("RANDOM:2m", 120)]
    [InlineData(" random:2s ", 2)]
    public void The_schedule_parses_and_prints_back(string text, int seconds)
    {
        Assert.True(RandomFaultSchedule.TryParseEvery(text, out var every, out var error), error);

        Assert.Equal(TimeSpan.FromSeconds(seconds), every);
        Assert.Equal($"random:{seconds}s", new RandomFaultSchedule(every, 1).ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("30s")]
    [InlineData("every:30s")]
    [InlineData("random:")]
    [InlineData("random:soon")]
    [InlineData("random:1s")]
    [InlineData("random:-5s")]
    public void Anything_else_is_refused_with_one_line_naming_the_form(string? text)
    {
        Assert.False(RandomFaultSchedule.TryParseEvery(text, out _, out var error));
        Assert.StartsWith("--fault-schedule '", error, StringComparison.Ordinal);
        Assert.Contains("random:EVERY", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error!);
    }
}
