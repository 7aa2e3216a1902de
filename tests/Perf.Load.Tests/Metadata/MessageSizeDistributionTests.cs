using Perf.Load.Metadata;

namespace Perf.Load.Tests.Metadata;

/// <summary>Size distributions: parsing, bounds, and the chat default's shape.</summary>
public sealed class MessageSizeDistributionTests
{
    [Theory]
    [InlineData("100", 100, 100)]
    [InlineData("16-20", 16, 20)]
    [InlineData("lognormal:3,0.5", 16, 61_440)]
    [InlineData("chat", 16, 61_440)]
    public void Draws_stay_within_their_bounds(string text, int low, int high)
    {
        var distribution = MessageSizeDistribution.Parse(text);
        var random = new Random(1);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.InRange(distribution.Next(random), low, high);
        }
    }

    [Fact]
    public void Chat_is_mostly_short_texts_with_a_share_of_media_pointers()
    {
        var random = new Random(7);
        var sizes = Enumerable.Range(0, 20_000).Select(_ => MessageSizeDistribution.Chat.Next(random)).Order().ToArray();
        var median = sizes[sizes.Length / 2];
        var media = sizes.Count(s => s is >= 166 and <= 466) / (double)sizes.Length;

        // 85 % text with a median of e^2.83 ≈ 17 letters after the 16-byte header, 15 % pointers of 166-466 bytes.
        Assert.InRange(median, 16 + 14, 16 + 26);
        Assert.InRange(media, 0.15, 0.20);
        Assert.True(sizes[^1] > 1000, "the log-normal tail reaches long messages");
    }

    [Theory]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("61441")]
    [InlineData("20-10")]
    [InlineData("lognormal:3")]
    [InlineData("lognormal:3,-1")]
    [InlineData("normal")]
    public void Anything_else_is_refused_saying_what_is_accepted(string text)
    {
        var ex = Assert.Throws<FormatException>(() => MessageSizeDistribution.Parse(text));
        Assert.Contains("chat", ex.Message, StringComparison.Ordinal);
    }
}
