using System.Text.Json;
using Relay.Crypto.Kdf;

namespace Perf.Vectors.Wycheproof;

/// <summary>
/// Wycheproof HKDF-SHA-256 files (<c>HkdfTest</c> groups), run on <see cref="HkdfSha256"/>: on
/// libcrypto's SHA-256 (backend <c>libcrypto</c>), or .NET's HKDF (backend <c>openssl</c>) on a
/// machine without it (<see cref="HmacSha256.Implementation"/>).
/// <c>valid</c>: exactly the expected output. <c>invalid</c> (output sizes over 8160 bytes):
/// <see cref="HkdfSha256.DeriveKey"/> refuses the size. <c>acceptable</c> (none in the current
/// files): held to the <c>valid</c> standard.
/// </summary>
public sealed class WycheproofHkdfSuite : IVectorSuite
{
    private const string FileAlgorithm = "HKDF-SHA-256";
    private const string GroupType = "HkdfTest";
    private static string Backend => HmacSha256.Implementation;

    // A hostile "size" must not make the runner allocate gigabytes; anything up to this still
    // exercises the 8160-byte limit.
    private const int LargestSizeTried = 1 << 20;

    /// <inheritdoc />
    public bool Recognises(JsonElement root) => WycheproofFile.Matches(root, GroupType, FileAlgorithm);

    /// <inheritdoc />
    public IReadOnlyList<VectorResultRow> Run(string fileName, JsonElement root) =>
        WycheproofFile.SingleBackendRow(fileName, FileAlgorithm, Backend, WycheproofFile.CasesOf(root, GroupType, FileAlgorithm), Check);

    private static CaseOutcome Check(WycheproofCase test)
    {
        var result = test.Result;
        var size = test.TestInt("size");
        if (size is < 0 or > LargestSizeTried)
        {
            throw test.Error($"'size' {size} is outside 0..{LargestSizeTried}");
        }

        var output = new byte[size];
        var inputKeyMaterial = test.Hex("ikm");
        var salt = test.Hex("salt");
        var info = test.Hex("info");
        try
        {
            HkdfSha256.DeriveKey(inputKeyMaterial, salt, info, output);
        }
        catch (ArgumentException)
        {
            return result == WycheproofResult.Invalid ? CaseOutcome.Passed : CaseOutcome.Failed;
        }

        var correct = result != WycheproofResult.Invalid && output.AsSpan().SequenceEqual(test.Hex("okm"));
        return correct ? CaseOutcome.Passed : CaseOutcome.Failed;
    }
}
