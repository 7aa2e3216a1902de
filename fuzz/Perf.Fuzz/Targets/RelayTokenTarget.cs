using System.Text;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Perf.Fuzz.Targets;

/// <summary>
/// The WebSocket gateway's token check (<see cref="RelayToken.Verify"/>) on an arbitrary string
/// (the input as UTF-8, as a query string or header arrives). Contract: never throws, always a
/// defined <see cref="TokenCheck"/>; a token that verifies is exactly the one <see cref="RelayToken.Mint"/>
/// writes for its identity and expiry, so no other spelling of it is accepted.
/// </summary>
internal sealed class RelayTokenTarget : FuzzTarget
{
    /// <summary>The secret every seed is signed with.</summary>
    private static readonly byte[] Secret = "fuzzing secret, 32 bytes long!!"u8.ToArray();

    /// <summary>The fixed "now" of every check, so an input always gives the same answer.</summary>
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Identity Someone = new([.. Enumerable.Range(0, Identity.Size).Select(i => (byte)(0xC0 + i))]);

    /// <inheritdoc />
    public override string Name => "relay-token";

    /// <inheritdoc />
    public override string Description => "RelayToken.Verify on any string: a TokenCheck, never an exception; only Mint's exact spelling is Valid";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        var token = Encoding.UTF8.GetString(input);
        var check = RelayToken.Verify(token, Secret, Now, out var identity);
        ContractViolation.Require(Enum.IsDefined(check), $"Verify returned {(int)check}, which is no TokenCheck");
        ContractViolation.Require(check == TokenCheck.Valid || identity == default, $"Verify gave an identity with {check}");
        if (check == TokenCheck.Valid)
        {
            var expires = ExpiryOf(token);
            ContractViolation.Require(expires >= Now && RelayToken.Mint(identity, expires, Secret) == token, "a token that is not Mint's spelling of its identity and expiry verified");
        }
    }

    /// <inheritdoc />
    public override IEnumerable<Seed> Seeds()
    {
        var valid = RelayToken.Mint(Someone, Now.AddHours(1), Secret);
        yield return Text("valid", valid);
        yield return Text("expired", RelayToken.Mint(Someone, Now.AddSeconds(-1), Secret));
        yield return Text("other-secret", RelayToken.Mint(Someone, Now.AddHours(1), "another secret of 32 bytes......"u8));
        yield return Text("no-dot", valid.Replace(".", string.Empty, StringComparison.Ordinal));
        yield return Text("truncated", valid[..^1]);
        yield return Text("padded", valid + "=");
        yield return Text("too-long", valid + new string('A', 200));
    }

    private static Seed Text(string name, string token) => new(name, Encoding.UTF8.GetBytes(token));

    // The expiry a token that verified carries (its body's last 8 bytes, whatever spelling it used).
    private static DateTimeOffset ExpiryOf(string token)
    {
        var body = System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(0, token.IndexOf('.', StringComparison.Ordinal)));
        return DateTimeOffset.FromUnixTimeSeconds(System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(Identity.Size)));
    }
}
