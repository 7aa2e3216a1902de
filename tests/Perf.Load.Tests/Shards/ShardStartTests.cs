using Perf.Load.Shards;
using Perf.Load.Targets;

namespace Perf.Load.Tests.Shards;

/// <summary><c>--start-at</c>: the common start, given as a time or read from standard input.</summary>
public sealed class ShardStartTests
{
    [Theory]
    [InlineData("1767225600", 1_767_225_600_000)]
    [InlineData("1767225600.25", 1_767_225_600_250)]
    [InlineData("2026-01-01T00:00:00Z", 1_767_225_600_000)]
    [InlineData("2026-01-01T01:00:00+01:00", 1_767_225_600_000)]
    public void A_time_is_unix_seconds_or_iso_8601(string text, long unixMilliseconds)
    {
        Assert.True(ShardStart.TryParseTime(text, out var time));
        Assert.Equal(unixMilliseconds, time.ToUnixTimeMilliseconds());
        Assert.True(ShardStart.TryParseTime(ShardStart.Format(time), out var again));
        Assert.Equal(time, again);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("2026-01-01")]
    [InlineData("NaN")]
    [InlineData("1e300")]
    public void Anything_else_is_not_a_time(string text) => Assert.False(ShardStart.TryParseTime(text, out _));

    [Fact]
    public async Task A_shard_reading_its_input_says_it_is_ready_and_starts_when_told()
    {
        using var output = new StringWriter();
        using var input = new StringReader("start-at 1767225600.500\n");

        var start = await ShardStart.FromReader(output, input)(CancellationToken.None);

        Assert.Equal(ShardStart.ReadyLine + Environment.NewLine, output.ToString());
        Assert.Equal(1_767_225_600_500, start.ToUnixTimeMilliseconds());
    }

    [Theory]
    [InlineData("")]
    [InlineData("go\n")]
    [InlineData("start-at later\n")]
    public async Task A_shard_told_anything_else_stops_with_one_line(string text)
    {
        using var input = new StringReader(text);

        var ex = await Assert.ThrowsAsync<LoadTargetException>(() => ShardStart.FromReader(TextWriter.Null, input)(CancellationToken.None));

        Assert.StartsWith("--start-at stdin: expected a line 'start-at SECONDS'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fixed_start_that_has_passed_is_refused_and_one_ahead_is_kept()
    {
        var ahead = DateTimeOffset.UtcNow.AddMinutes(1);
        Assert.Equal(ahead, await ShardStart.At(ahead)(CancellationToken.None));

        var ex = await Assert.ThrowsAsync<LoadTargetException>(() => ShardStart.At(DateTimeOffset.UtcNow.AddSeconds(-5))(CancellationToken.None));
        Assert.Contains("give a later time (every shard the same)", ex.Message, StringComparison.Ordinal);
    }
}
