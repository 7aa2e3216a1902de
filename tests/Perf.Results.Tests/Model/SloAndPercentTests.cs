using Perf.Results.Comparison;
using Perf.Results.Model;

namespace Perf.Results.Tests.Model;

public sealed class SloAndPercentTests
{
    [Theory]
    [InlineData("p99=50ms", "p99", 50_000)]
    [InlineData("p999=750us", "p999", 750)]
    [InlineData("P50 = 1.5s", "p50", 1_500_000)]
    public void Slo_parses_percentile_and_unit(string text, string percentile, double microseconds)
    {
        var slo = Slo.Parse(text);

        Assert.Equal(percentile, slo.Percentile);
        Assert.Equal(microseconds, slo.ThresholdUs);
    }

    [Theory]
    [InlineData("p99")]
    [InlineData("p99=50")]
    [InlineData("p98=50ms")]
    [InlineData("p99=-5ms")]
    [InlineData("p99=0ms")]
    [InlineData("p99=fastms")]
    public void Bad_slos_are_bad_input(string text)
    {
        Assert.StartsWith("--slo", Assert.Throws<BadInputException>(() => Slo.Parse(text)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5%", 0.05)]
    [InlineData("5", 0.05)]
    [InlineData(" 12.5 % ", 0.125)]
    [InlineData("0%", 0)]
    public void Percent_parses(string text, double fraction)
    {
        Assert.Equal(fraction, Percent.Parse(text, "--threshold"), 12);
    }

    [Theory]
    [InlineData("-5%")]
    [InlineData("five")]
    [InlineData("")]
    [InlineData("NaN")]
    public void Bad_percentages_are_bad_input(string text)
    {
        Assert.StartsWith("--threshold", Assert.Throws<BadInputException>(() => Percent.Parse(text, "--threshold")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gate_rules_match_globs_in_order()
    {
        var rules = new ThresholdRules();
        rules.Add("*Handshake*", 0.2);
        rules.Add("*", 0.07);

        Assert.Equal(0.2, rules.ThresholdFor("Perf.Benchmarks.Noise.Handshake/time", 0.05));
        Assert.Equal(0.07, rules.ThresholdFor("Perf.Benchmarks.Aead.Seal/time", 0.05));
        Assert.Equal(0.05, new ThresholdRules().ThresholdFor("anything", 0.05));
    }

    [Fact]
    public void Gate_rule_question_mark_is_one_character_and_dots_are_literal()
    {
        var rules = new ThresholdRules();
        rules.Add("A.B?", 0.3);

        Assert.Equal(0.3, rules.ThresholdFor("A.B1", 0));
        Assert.Equal(0, rules.ThresholdFor("AxB1", 0));
        Assert.Equal(0, rules.ThresholdFor("A.B12", 0));
    }

    [Fact]
    public void Gate_file_reads_and_bad_gate_files_are_bad_input()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{"rules":[{"match":"*Seal*","threshold":"10%"}]}""");
            Assert.Equal(0.1, ThresholdRules.Read(path).ThresholdFor("X.Seal/time", 0.05), 12);

            File.WriteAllText(path, """{"rules":[{"match":"*Seal*","threshold":10}]}""");
            Assert.Throws<BadInputException>(() => ThresholdRules.Read(path));
            File.WriteAllText(path, """{"rules":[{"match":"*","threshold":"150%"}]}""");
            Assert.Throws<BadInputException>(() => ThresholdRules.Read(path));
            File.WriteAllText(path, "{");
            Assert.Throws<BadInputException>(() => ThresholdRules.Read(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
