using CsCheck;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Relay.Protocol.Tests.Tokens;

/// <summary>
/// Properties of the WebSocket token: a minted token verifies to its identity until it expires,
/// and no other string, including any edit of a valid token, verifies or throws.
/// </summary>
public sealed class RelayTokenPropertyTests
{
    private static readonly byte[] Secret = "property secret, 32 bytes long!!"u8.ToArray();
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Gen<Identity> Identities = Gen.Byte.Array[Identity.Size].Select(bytes => new Identity(bytes));

    /// <summary>A token valid at <see cref="Now"/> (expiring within a year).</summary>
    private static readonly Gen<string> ValidTokens =
        Gen.Select(Identities, Gen.Long[0, 365L * 24 * 3600]).Select((identity, seconds) => RelayToken.Mint(identity, Now.AddSeconds(seconds), Secret));

    [Fact]
    public void A_minted_token_verifies_to_its_identity_until_it_expires() =>
        Gen.Select(Identities, Gen.Long[-100_000, 100_000]).Sample((identity, seconds) =>
        {
            var token = RelayToken.Mint(identity, Now.AddSeconds(seconds), Secret);
            var check = RelayToken.Verify(token, Secret, Now, out var verified);
            Assert.Equal(seconds >= 0 ? TokenCheck.Valid : TokenCheck.Expired, check);
            Assert.Equal(seconds >= 0 ? identity : default, verified);
        }, iter: 2_000);

    [Fact]
    public void Any_string_gives_a_token_check_never_an_exception() =>
        Gen.String[0, 260].Sample(token =>
        {
            var check = RelayToken.Verify(token, Secret, Now, out var identity);
            Assert.True(Enum.IsDefined(check));
            Assert.NotEqual(TokenCheck.Valid, check);
            Assert.Equal(default, identity);
        }, iter: 5_000);

    [Fact]
    public void No_edit_of_a_valid_token_verifies() =>
        Gen.Select(ValidTokens, Gen.Int[0, 97], Gen.Char, Gen.Int[0, 2]).Sample((token, position, character, edit) =>
        {
            var at = Math.Min(position, token.Length - 1);
            var edited = edit switch
            {
                0 => token.Remove(at, 1).Insert(at, character.ToString()),
                1 => token.Insert(at, character.ToString()),
                _ => token.Remove(at, 1),
            };
            if (edited != token)
            {
                Assert.NotEqual(TokenCheck.Valid, RelayToken.Verify(edited, Secret, Now, out _));
            }
        }, iter: 10_000);

    [Fact]
    public void Truncated_or_oversized_tokens_are_refused() =>
        Gen.Select(ValidTokens, Gen.Int[0, 97], Gen.String[1, 300]).Sample((token, length, tail) =>
        {
            Assert.NotEqual(TokenCheck.Valid, RelayToken.Verify(token[..length], Secret, Now, out _));
            Assert.NotEqual(TokenCheck.Valid, RelayToken.Verify(token + tail, Secret, Now, out _));
        }, iter: 3_000);

    [Theory]
    [InlineData("=")]
    [InlineData(" ")]
    [InlineData("\n")]
    public void Regression_a_valid_token_with_padding_or_whitespace_added_is_malformed(string added)
    {
        var token = RelayToken.Mint(new Identity(new byte[Identity.Size]), Now.AddHours(1), Secret);
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        Assert.Equal(TokenCheck.Malformed, RelayToken.Verify(token + added, Secret, Now, out _));
        Assert.Equal(TokenCheck.Malformed, RelayToken.Verify(token.Insert(dot, added), Secret, Now, out _));
        Assert.Equal(TokenCheck.Malformed, RelayToken.Verify(token.Insert(5, added), Secret, Now, out _));
    }
}
