using System.Text.Json;
using Relay.Crypto.Kdf;

namespace Perf.Vectors.Wycheproof;

/// <summary>
/// Wycheproof HMAC-SHA256 files (<c>MacTest</c> groups), run on <see cref="HmacSha256"/>: libcrypto's
/// SHA-256 (backend <c>libcrypto</c>), or .NET's HMAC (backend <c>openssl</c>) on a machine without
/// it (<see cref="HmacSha256.Implementation"/>). Tags may be truncated to the group's
/// <c>tagSize</c> bits.
/// <c>valid</c>: the computed tag's first <c>tagSize</c> bits equal the expected tag and
/// <see cref="HmacSha256.Verify"/> accepts it. <c>invalid</c>: <see cref="HmacSha256.Verify"/>
/// rejects the tag. <c>acceptable</c> (none in the current files): held to the <c>valid</c> standard.
/// </summary>
public sealed class WycheproofHmacSuite : IVectorSuite
{
    private const string FileAlgorithm = "HMACSHA256";
    private const string GroupType = "MacTest";
    private static string Backend => HmacSha256.Implementation;

    /// <inheritdoc />
    public bool Recognises(JsonElement root) => WycheproofFile.Matches(root, GroupType, FileAlgorithm);

    /// <inheritdoc />
    public IReadOnlyList<VectorResultRow> Run(string fileName, JsonElement root) =>
        WycheproofFile.SingleBackendRow(fileName, FileAlgorithm, Backend, WycheproofFile.CasesOf(root, GroupType, FileAlgorithm), Check);

    private static CaseOutcome Check(WycheproofCase test)
    {
        var result = test.Result;
        var tagBits = test.GroupInt("tagSize");
        if (tagBits is <= 0 or > HmacSha256.TagSize * 8 || tagBits % 8 != 0)
        {
            throw test.Error($"group tagSize {tagBits} is not a whole number of bytes from 8 to {HmacSha256.TagSize * 8} bits");
        }

        var key = test.Hex("key");
        var message = test.Hex("msg");
        var tag = test.Hex("tag");
        var verified = HmacSha256.Verify(key, message, tag);
        if (result == WycheproofResult.Invalid)
        {
            return verified ? CaseOutcome.Failed : CaseOutcome.Passed;
        }

        Span<byte> computed = stackalloc byte[HmacSha256.TagSize];
        HmacSha256.Compute(key, message, computed);
        var correct = verified && computed[..(tagBits / 8)].SequenceEqual(tag);
        return correct ? CaseOutcome.Passed : CaseOutcome.Failed;
    }
}
