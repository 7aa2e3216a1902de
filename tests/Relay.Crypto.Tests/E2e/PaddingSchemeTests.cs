using Relay.Crypto.E2e;

namespace Relay.Crypto.Tests.E2e;

/// <summary>Padding schemes: their sizes, Padmé's overhead bound and class count, parsing, and round trips through a session.</summary>
public sealed class PaddingSchemeTests
{
    [Theory]
    [InlineData("none", 0, 0)]
    [InlineData("none", 100, 100)]
    [InlineData("block:64", 0, 64)]
    [InlineData("block:64", 63, 64)]
    [InlineData("block:64", 64, 128)]
    [InlineData("pow2", 0, 1)]
    [InlineData("pow2", 100, 128)]
    [InlineData("pow2", 127, 128)]
    [InlineData("pow2", 128, 256)]
    [InlineData("padme", 99, 104)]      // content 100: E=6, S=3, 3 low bits rounded up
    [InlineData("padme", 128, 144)]     // content 129: E=7, S=3, 4 low bits -> the worst case, 11.6 %
    [InlineData("padme", 999, 1024)]    // content 1000: E=9, S=4, 5 low bits
    [InlineData("padme", 1023, 1024)]
    public void Padded_lengths_are_the_schemes_own(string scheme, int plaintext, int padded)
    {
        Assert.Equal(padded, PaddingScheme.Parse(scheme).PaddedLength(plaintext));
    }

    [Fact]
    public void Padme_adds_at_most_about_12_percent_and_never_shrinks()
    {
        var worst = 0.0;
        for (long length = 1; length <= 1 << 20; length++)
        {
            var padded = PaddingScheme.PadmeLength(length);
            Assert.True(padded >= length);
            worst = Math.Max(worst, (padded - length) / (double)length);
        }

        Assert.True(worst <= 0.12, $"worst Padmé overhead {worst:P2}");
        Assert.True(worst > 0.11, $"the bound is tight near 129 bytes; got {worst:P2}");
    }

    [Fact]
    public void Padme_has_few_size_classes_per_power_of_two()
    {
        // Within [2^E, 2^(E+1)) Padmé rounds away E - S low bits (S = floor(log2 E) + 1): at most 2^S + 1 classes.
        for (var e = 4; e <= 16; e++)
        {
            var classes = new HashSet<long>();
            for (long length = 1L << e; length < 1L << (e + 1); length++)
            {
                classes.Add(PaddingScheme.PadmeLength(length));
            }

            var s = (int)Math.Floor(Math.Log2(e)) + 1;
            Assert.InRange(classes.Count, 2, (1 << s) + 1);
        }

        var all = new HashSet<int>();
        for (var length = 0; length < 60_000; length++)
        {
            all.Add(PaddingScheme.Padme.PaddedLength(length));
        }

        Assert.True(all.Count < 60_000 / 100, $"{all.Count} classes for 60,000 lengths");
    }

    [Fact]
    public void A_padded_length_over_the_frame_limit_falls_back_to_the_exact_length()
    {
        var length = PaddingScheme.MaxPaddedLength - 100;
        Assert.Equal(length + 1, PaddingScheme.PowerOfTwo.PaddedLength(length));
        Assert.True(PaddingScheme.Padme.PaddedLength(length) <= PaddingScheme.MaxPaddedLength);
    }

    [Theory]
    [InlineData("")]
    [InlineData("block:0")]
    [InlineData("block:65537")]
    [InlineData("block:x")]
    [InlineData("block:-4")]
    [InlineData("pow3")]
    public void Unknown_schemes_are_refused_with_what_is_accepted(string text)
    {
        var ex = Assert.Throws<FormatException>(() => PaddingScheme.Parse(text));
        Assert.Contains("padme", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("block:256")]
    [InlineData("pow2")]
    [InlineData("padme")]
    public void Every_scheme_round_trips_and_sets_the_flag_only_when_it_pads(string name)
    {
        var scheme = PaddingScheme.Parse(name);
        Assert.Equal(name, scheme.Name);
        using var pair = new E2ePair(new E2eSessionOptions { Padding = scheme });
        foreach (var size in new[] { 0, 1, 15, 16, 100, 129, 1000, 4096, 30_000 })
        {
            var plaintext = new byte[size];
            Random.Shared.NextBytes(plaintext);
            if (size > 0)
            {
                plaintext[^1] = 0; // trailing zeros must survive unpadding
            }

            var envelope = pair.SealFromAlice(plaintext);
            Assert.Equal(scheme.Pads, E2eEnvelope.TryReadHeader(envelope, out var header) == E2eError.None && header.IsPadded);
            Assert.Equal(header.Bytes.Length + scheme.PaddedLength(size) + 16, envelope.Length);
            Assert.Equal(E2eError.None, pair.BobOpens(envelope, out var opened));
            Assert.Equal(plaintext, opened);
        }
    }
}
