using Relay.Crypto.Kdf;

namespace Relay.Crypto.Tests.Kdf;

public sealed class HkdfSha256Tests
{
    // RFC 5869, appendix A.1 (test case 1).
    private static readonly byte[] InputKeyMaterial = Convert.FromHexString("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    private static readonly byte[] Salt = Convert.FromHexString("000102030405060708090a0b0c");
    private static readonly byte[] Info = Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9");
    private static readonly byte[] PseudoRandomKey = Convert.FromHexString("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    private static readonly byte[] OutputKeyMaterial = Convert.FromHexString("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");

    [Fact]
    public void Rfc5869_case_1_derives_the_published_output()
    {
        var output = new byte[42];

        HkdfSha256.DeriveKey(InputKeyMaterial, Salt, Info, output);

        Assert.Equal(OutputKeyMaterial, output);
    }

    [Fact]
    public void Rfc5869_case_1_extract_then_expand_gives_the_published_prk_and_output()
    {
        var prk = new byte[HkdfSha256.HashSize];
        var output = new byte[42];

        HkdfSha256.Extract(InputKeyMaterial, Salt, prk);
        HkdfSha256.Expand(prk, Info, output);

        Assert.Equal(PseudoRandomKey, prk);
        Assert.Equal(OutputKeyMaterial, output);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(HkdfSha256.MaxOutputSize)]
    public void Output_sizes_at_the_limits_are_derived(int size)
    {
        var output = new byte[size];

        HkdfSha256.DeriveKey(InputKeyMaterial, Salt, Info, output);

        Assert.Equal(OutputKeyMaterial.AsSpan(0, Math.Min(size, OutputKeyMaterial.Length)).ToArray(), output.AsSpan(0, Math.Min(size, OutputKeyMaterial.Length)).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(HkdfSha256.MaxOutputSize + 1)]
    public void Output_sizes_outside_1_to_8160_are_refused(int size)
    {
        var error = Assert.Throws<ArgumentException>(() => HkdfSha256.DeriveKey(InputKeyMaterial, Salt, Info, new byte[size]));
        Assert.Throws<ArgumentException>(() => HkdfSha256.Expand(PseudoRandomKey, Info, new byte[size]));

        Assert.Contains(size.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Fact]
    public void Expand_refuses_a_pseudorandom_key_shorter_than_the_hash()
    {
        Assert.Throws<ArgumentException>(() => HkdfSha256.Expand(PseudoRandomKey.AsSpan(0, 31), Info, new byte[42]));
    }
}
