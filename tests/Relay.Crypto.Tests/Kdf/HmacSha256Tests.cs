using Relay.Crypto.Kdf;

namespace Relay.Crypto.Tests.Kdf;

public sealed class HmacSha256Tests
{
    // RFC 4231, test case 2.
    private static readonly byte[] JefeKey = "Jefe"u8.ToArray();
    private static readonly byte[] JefeData = "what do ya want for nothing?"u8.ToArray();
    private static readonly byte[] JefeTag = Convert.FromHexString("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    // RFC 4231, test case 5: the tag truncated to 128 bits.
    private static readonly byte[] TruncationKey = Convert.FromHexString("0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c");
    private static readonly byte[] TruncationData = "Test With Truncation"u8.ToArray();
    private static readonly byte[] TruncatedTag = Convert.FromHexString("a3b6167473100ee06e0c796c2955552b");

    [Fact]
    public void Rfc4231_case_2_computes_and_verifies_the_published_tag()
    {
        var tag = new byte[HmacSha256.TagSize];

        HmacSha256.Compute(JefeKey, JefeData, tag);

        Assert.Equal(JefeTag, tag);
        Assert.True(HmacSha256.Verify(JefeKey, JefeData, JefeTag));
    }

    [Fact]
    public void Rfc4231_case_5_verifies_the_tag_truncated_to_128_bits()
    {
        Assert.True(HmacSha256.Verify(TruncationKey, TruncationData, TruncatedTag));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    public void A_truncated_tag_with_any_byte_changed_is_rejected(int index)
    {
        var tampered = (byte[])TruncatedTag.Clone();
        tampered[index] ^= 0x80;

        Assert.False(HmacSha256.Verify(TruncationKey, TruncationData, tampered));
    }

    [Fact]
    public void Another_message_does_not_verify_under_the_tag()
    {
        Assert.False(HmacSha256.Verify(JefeKey, "what do ya want for something?"u8, JefeTag));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    public void A_tag_of_no_bytes_or_more_than_32_is_rejected(int size)
    {
        var tag = new byte[size];
        JefeTag.AsSpan(0, Math.Min(size, JefeTag.Length)).CopyTo(tag);

        Assert.False(HmacSha256.Verify(JefeKey, JefeData, tag));
    }

    [Fact]
    public void Compute_into_a_destination_that_is_not_32_bytes_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => HmacSha256.Compute(JefeKey, JefeData, new byte[16]));
    }
}
