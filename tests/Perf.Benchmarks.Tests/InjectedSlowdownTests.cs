using Perf.Benchmarks.Infrastructure;

namespace Perf.Benchmarks.Tests;

/// <summary>The calibration knob repeats a case's own operation an exact share of the time, only where its glob matches.</summary>
public sealed class InjectedSlowdownTests
{
    private const string Seal = "Perf.Benchmarks.Aead.AeadBenchmarks.Seal(Cipher: \"aes-256-gcm/sodium\", Size: 256)";

    [Theory]
    [InlineData("*AeadBenchmarks.Seal*=8%", 10_000, 800)]
    [InlineData("*Seal(Cipher: \"aes-256-gcm/sodium\", Size: 256)=50%", 1_000, 500)]
    [InlineData("*=5%", 1_000, 50)]
    [InlineData("*=250%", 100, 250)]
    public void A_matching_case_does_its_operation_again_for_exactly_the_share_asked(string knob, int calls, int extra)
    {
        int operations = 0;
        var slowdown = InjectedSlowdown.For(Seal, () => operations++, InjectedSlowdown.Parse(knob));

        for (int i = 0; i < calls; i++)
        {
            slowdown.Apply();
        }

        Assert.Equal(extra, operations);
    }

    [Theory]
    [InlineData("*AeadBenchmarks.Open*=8%")]
    [InlineData("*Seal(Cipher: \"aes-256-gcm/sodium\", Size: 64)=8%")]
    public void Another_case_and_no_knob_add_nothing(string knob)
    {
        int operations = 0;
        var other = InjectedSlowdown.For(Seal, () => operations++, InjectedSlowdown.Parse(knob));
        var none = InjectedSlowdown.For(Seal, () => operations++, null);

        for (int i = 0; i < 1000; i++)
        {
            other.Apply();
            none.Apply();
        }

        Assert.Equal(0, operations);
    }

    [Theory]
    [InlineData("")]
    [InlineData("*Seal*")]
    [InlineData("*Seal*=8")]
    [InlineData("=8%")]
    [InlineData("*Seal*=0%")]
    [InlineData("*Seal*=-5%")]
    [InlineData("*Seal*=1001%")]
    [InlineData("*Seal*=abc%")]
    public void A_malformed_knob_is_refused_with_its_form(string knob)
    {
        var error = Assert.Throws<FormatException>(() => InjectedSlowdown.Parse(knob));

        Assert.Contains("GLOB=N%", error.Message, StringComparison.Ordinal);
    }
}
