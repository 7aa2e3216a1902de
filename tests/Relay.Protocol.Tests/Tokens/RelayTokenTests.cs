using System.Security.Cryptography;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Relay.Protocol.Tests.Tokens;

public sealed class RelayTokenTests
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);
    private static readonly Identity Alice = new(RandomNumberGenerator.GetBytes(32));
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_minted_token_verifies_to_its_identity()
    {
        var token = RelayToken.Mint(Alice, Now.AddHours(1), Secret);
        Assert.Equal(TokenCheck.Valid, RelayToken.Verify(token, Secret, Now, out var identity));
        Assert.Equal(Alice, identity);
    }

    [Theory]
    [InlineData(null, TokenCheck.Missing)]
    [InlineData("", TokenCheck.Missing)]
    [InlineData("not.a.token", TokenCheck.Malformed)]
    [InlineData("no-dot-at-all", TokenCheck.Malformed)]
    [InlineData("!!!!.????", TokenCheck.Malformed)]
    public void Malformed_tokens_are_refused_not_thrown(string? token, TokenCheck expected) =>
        Assert.Equal(expected, RelayToken.Verify(token, Secret, Now, out _));

    [Fact]
    public void Another_secret_expiry_or_identity_is_refused()
    {
        var token = RelayToken.Mint(Alice, Now.AddHours(1), Secret);
        Assert.Equal(TokenCheck.BadSignature, RelayToken.Verify(token, RandomNumberGenerator.GetBytes(32), Now, out _));
        Assert.Equal(TokenCheck.Expired, RelayToken.Verify(token, Secret, Now.AddHours(2), out _));
        var forged = RelayToken.Mint(new Identity(RandomNumberGenerator.GetBytes(32)), Now.AddHours(1), Secret);
        var spliced = forged[..forged.IndexOf('.', StringComparison.Ordinal)] + token[token.IndexOf('.', StringComparison.Ordinal)..];
        Assert.Equal(TokenCheck.BadSignature, RelayToken.Verify(spliced, Secret, Now, out _));
    }
}
