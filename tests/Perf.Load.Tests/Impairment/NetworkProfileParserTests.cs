using Perf.Load.Impairment;

namespace Perf.Load.Tests.Impairment;

/// <summary>Every documented form of a profile line is read as documented, its canonical line reads back to the same profile, and anything malformed is one line naming the key.</summary>
public sealed class NetworkProfileParserTests
{
    [Fact]
    public void The_example_line_sets_each_key_for_both_directions()
    {
        var profile = NetworkProfile.Parse("latency=50ms,jitter=10ms,bandwidth=1mbit,stall=2s/60s,reset=0.01/s,seed=42");

        var link = new LinkImpairment(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(10), 1_000_000, 0);
        Assert.Equal(link, profile.Up);
        Assert.Equal(link, profile.Down);
        Assert.Equal(new StallPlan(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), 0), profile.Stall);
        Assert.Equal(0.01, profile.ResetPerSecond);
        Assert.Equal(42, profile.Seed);
        Assert.Null(profile.Name);
        Assert.Equal("latency=50ms,jitter=10ms,bandwidth=1mbit,stall=2s/1m,reset=0.01/s,seed=42", profile.ToString());
    }

    [Theory]
    [InlineData("latency=200us", 0.2)]
    [InlineData("latency=1.5ms", 1.5)]
    [InlineData("latency=2s", 2000)]
    [InlineData("latency=1m", 60000)]
    [InlineData(" LATENCY = 75MS ", 75)]
    public void Times_take_every_unit(string line, double milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), NetworkProfile.Parse(line).Up.Latency);
    }

    [Theory]
    [InlineData("bandwidth=9600bit", 9_600)]
    [InlineData("bandwidth=750kbit", 750_000)]
    [InlineData("bandwidth=1.6mbit", 1_600_000)]
    [InlineData("bandwidth=1638.4kbit", 1_638_400)]
    [InlineData("bandwidth=1gbit", 1_000_000_000)]
    public void Bandwidths_are_bits_per_second_in_powers_of_1000(string line, long bits)
    {
        Assert.Equal(bits, NetworkProfile.Parse(line).Down.BitsPerSecond);
    }

    [Theory]
    [InlineData("reset-after=100b", 100)]
    [InlineData("reset-after=16kb", 16_000)]
    [InlineData("reset-after=64kib", 65_536)]
    [InlineData("reset-after=2mb", 2_000_000)]
    [InlineData("reset-after=1mib", 1_048_576)]
    public void Sizes_take_decimal_and_binary_units(string line, long bytes)
    {
        Assert.Equal(bytes, NetworkProfile.Parse(line).ResetAfterBytes);
    }

    [Theory]
    [InlineData("reset=0.5/s", 0.5)]
    [InlineData("reset=3/m", 0.05)]
    [InlineData("reset=36/h", 0.01)]
    public void Event_rates_are_per_second_minute_or_hour(string line, double perSecond)
    {
        Assert.Equal(perSecond, NetworkProfile.Parse(line).ResetPerSecond, 12);
    }

    [Fact]
    public void Loss_is_a_percentage_or_a_fraction_and_has_its_retransmission_delay()
    {
        Assert.Equal(0.01, NetworkProfile.Parse("loss=1%").Up.Loss);
        Assert.Equal(0.025, NetworkProfile.Parse("loss=0.025").Down.Loss);
        Assert.Equal(NetworkProfile.DefaultRetransmit, NetworkProfile.Parse("loss=1%").Retransmit);
        Assert.Equal(TimeSpan.FromSeconds(1), NetworkProfile.Parse("loss=1%,retransmit=1s").Retransmit);
    }

    [Fact]
    public void Up_and_down_keys_refine_the_plain_key_whatever_their_order()
    {
        var profile = NetworkProfile.Parse("down-bandwidth=2mbit,bandwidth=500kbit,up-latency=10ms,latency=40ms,down-loss=2%");

        Assert.Equal(500_000, profile.Up.BitsPerSecond);
        Assert.Equal(2_000_000, profile.Down.BitsPerSecond);
        Assert.Equal(TimeSpan.FromMilliseconds(10), profile.Up.Latency);
        Assert.Equal(TimeSpan.FromMilliseconds(40), profile.Down.Latency);
        Assert.Equal(0, profile.Up.Loss);
        Assert.Equal(0.02, profile.Down.Loss);
        Assert.Equal("up-latency=10ms,down-latency=40ms,up-bandwidth=500kbit,down-bandwidth=2mbit,down-loss=2%,seed=1", profile.ToString());
    }

    [Fact]
    public void Stalls_are_periodic_or_random_and_slices_take_Toxiproxys_three_values()
    {
        Assert.Equal(new StallPlan(TimeSpan.FromSeconds(2), null, 1.0 / 60), NetworkProfile.Parse("stall=2s@1/m").Stall);
        Assert.Equal(new StallPlan(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), 0), NetworkProfile.Parse("stall=500ms/10s").Stall);
        Assert.Equal(new SlicePlan(64, 16, TimeSpan.FromMilliseconds(1)), NetworkProfile.Parse("slice=64b,slice-variation=16b,slice-delay=1ms").Slice);
        Assert.Equal(new SlicePlan(100, 0, TimeSpan.Zero), NetworkProfile.Parse("slice=100b").Slice);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("mobile")]
    [InlineData("3g")]
    [InlineData("lossy")]
    [InlineData("flaky")]
    public void Named_profiles_are_found_and_their_canonical_line_reads_back_the_same(string name)
    {
        var profile = NetworkProfile.Parse(name);

        Assert.Equal(name, profile.Name);
        Assert.Equal(profile with { Name = null }, NetworkProfile.Parse(profile.ToString()));
        Assert.Contains(name, NetworkProfiles.Names);
        Assert.NotNull(NetworkProfiles.SourceOf(name));
    }

    [Fact]
    public void The_named_profiles_hold_their_sources_numbers()
    {
        var mobile = NetworkProfile.Parse("mobile");
        Assert.Equal("latency=75ms,up-bandwidth=750kbit,down-bandwidth=1638.4kbit,seed=1", mobile.ToString());
        Assert.Equal("latency=150ms,bandwidth=700kbit,seed=1", NetworkProfile.Parse("3g").ToString());
        Assert.Equal(new NetworkProfile(), NetworkProfile.Parse("none") with { Name = null });
        var flaky = NetworkProfile.Parse("flaky");
        Assert.NotNull(flaky.Stall);
        Assert.True(flaky.ResetPerSecond > 0);
        Assert.True(flaky.Up.Loss > 0);
    }

    [Fact]
    public void A_name_followed_by_keys_changes_only_those_keys()
    {
        var profile = NetworkProfile.Parse("mobile,seed=7,up-latency=100ms");

        Assert.Equal("mobile", profile.Name);
        Assert.Equal(7, profile.Seed);
        Assert.Equal(TimeSpan.FromMilliseconds(100), profile.Up.Latency);
        Assert.Equal(TimeSpan.FromMilliseconds(75), profile.Down.Latency);
        Assert.Equal(750_000, profile.Up.BitsPerSecond);
        Assert.EndsWith("changed by the keys after the name (see profile)", profile.ToResult().Source, StringComparison.Ordinal);
        Assert.Equal(NetworkProfiles.SourceOf("mobile"), NetworkProfile.Parse("mobile,seed=7").ToResult().Source);
    }

    [Theory]
    [InlineData("latency=50ms,jitter=10ms,bandwidth=1mbit,stall=2s/60s,reset=0.01/s,seed=42")]
    [InlineData("up-jitter=1500us,down-latency=3ms,loss=0.3%,retransmit=300ms,stall=1s@2/h,reset-after=65536b,slice=10b,slice-variation=3b,slice-delay=250us,seed=0")]
    [InlineData("bandwidth=1638.4kbit,reset=1/h")]
    public void Custom_lines_read_back_from_their_canonical_form(string line)
    {
        var profile = NetworkProfile.Parse(line);

        var canonical = profile.ToString();
        Assert.Equal(profile, NetworkProfile.Parse(canonical));
        Assert.Equal(canonical, NetworkProfile.Parse(canonical).ToString());
    }

    [Theory]
    [InlineData("latency=50", "latency")]
    [InlineData("latency=5xs", "latency")]
    [InlineData("latency=-5ms", "latency")]
    [InlineData("latency=2m", "latency")]
    [InlineData("up-jitter=fast", "up-jitter")]
    [InlineData("bandwidth=1mb", "bandwidth")]
    [InlineData("bandwidth=0kbit", "bandwidth")]
    [InlineData("down-bandwidth=", "down-bandwidth")]
    [InlineData("loss=100%", "loss")]
    [InlineData("loss=-1%", "loss")]
    [InlineData("stall=2s", "stall")]
    [InlineData("stall=5s/5s", "stall")]
    [InlineData("stall=0s/5s", "stall")]
    [InlineData("stall=2s@often", "stall")]
    [InlineData("reset=0.01", "reset")]
    [InlineData("reset=0/s", "reset")]
    [InlineData("reset-after=1.5b", "reset-after")]
    [InlineData("slice=0b", "slice")]
    [InlineData("slice=10b,slice-variation=10b", "slice-variation")]
    [InlineData("slice-delay=1ms", "slice-delay")]
    [InlineData("seed=-1", "seed")]
    [InlineData("seed=1e3", "seed")]
    [InlineData("latency=5ms,latency=6ms", "latency")]
    [InlineData("latnecy=5ms", "latnecy")]
    [InlineData("wifi", "wifi")]
    [InlineData("latency=5ms,mobile", "mobile")]
    [InlineData("latency=5ms,,seed=1", "empty item")]
    public void Malformed_lines_are_one_line_naming_the_key(string line, string named)
    {
        Assert.False(NetworkProfile.TryParse(line, out _, out var error));

        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        var thrown = Assert.Throws<FormatException>(() => NetworkProfile.Parse(line));
        Assert.Equal(error, thrown.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void An_empty_line_says_what_to_give(string? line)
    {
        Assert.False(NetworkProfile.TryParse(line, out _, out var error));
        Assert.Contains("mobile", error, StringComparison.Ordinal);
    }
}
