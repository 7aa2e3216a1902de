namespace Perf.Results.Tests;

public sealed class UnitsTests
{
    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(8_000, "7.81 KiB")]
    [InlineData(56_840_777_142.857, "52.9 GiB")]
    [InlineData(1L << 40, "1 TiB")]
    [InlineData(0, "0 B")]
    public void Bytes_read_in_binary_units(double bytes, string expected) => Assert.Equal(expected, Units.Bytes(bytes));

    [Theory]
    [InlineData(833.33, "833 msgs/s")]
    [InlineData(8_333.33, "8,333 msgs/s")]
    [InlineData(69_444.4, "69.4 k msgs/s")]
    [InlineData(1_234_567, "1.23 M msgs/s")]
    public void Rates_scale_to_k_and_M(double rate, string expected) => Assert.Equal(expected, Units.Rate(rate));

    [Theory]
    [InlineData(0.625, "0.625")]
    [InlineData(11.507937, "11.5")]
    [InlineData(0.0793651, "0.0794")]
    [InlineData(138_888.9, "138,889")]
    public void Derived_values_keep_three_significant_figures(double value, string expected) => Assert.Equal(expected, Units.Significant(value));

    [Theory]
    [InlineData(38, "38 µs")]
    [InlineData(49_500, "49.5 ms")]
    public void Times_read_in_microseconds_or_milliseconds(double us, string expected) => Assert.Equal(expected, Units.Micros(us));

    [Theory]
    [InlineData("24GiB", 24L << 30)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("1TB", 1_000_000_000_000)]
    [InlineData("64G", 64L << 30)]
    [InlineData("8000000000", 8_000_000_000)]
    [InlineData("1.5KiB", 1_536)]
    public void Sizes_parse_as_people_write_them(string text, long expected) => Assert.Equal(expected, Units.ParseBytes(text, "--memory-per-node"));

    [Theory]
    [InlineData("")]
    [InlineData("-1GiB")]
    [InlineData("12 parsecs")]
    [InlineData("GiB")]
    [InlineData("1e30TiB")]
    public void Bad_sizes_are_refused_naming_the_option(string text)
    {
        Assert.StartsWith("--memory-per-node: ", Assert.Throws<BadInputException>(() => Units.ParseBytes(text, "--memory-per-node")).Message, StringComparison.Ordinal);
    }
}
