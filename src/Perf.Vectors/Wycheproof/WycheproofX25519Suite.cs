using System.Text.Json;
using Relay.Crypto.KeyAgreement;

namespace Perf.Vectors.Wycheproof;

/// <summary>
/// Wycheproof XDH files (<c>XdhComp</c> groups); the <c>curve25519</c> cases run on libsodium
/// through <see cref="X25519KeyPair"/> (backend <c>sodium</c>), other curves are skipped.
/// <list type="bullet">
/// <item><c>valid</c>: the agreement succeeds with exactly the expected shared secret.</item>
/// <item><c>invalid</c>: the agreement (or the private key import) is refused.</item>
/// <item><c>acceptable</c>: where the expected shared secret is all zeros (a low-order public
/// point) the agreement must be refused, as libsodium refuses it and Noise and the E2E layer
/// require; otherwise (twist points, non-canonical encodings) it must succeed with exactly the
/// expected secret.</item>
/// </list>
/// </summary>
public sealed class WycheproofX25519Suite : IVectorSuite
{
    private const string FileAlgorithm = "XDH";
    private const string GroupType = "XdhComp";
    private const string Curve = "curve25519";
    private const string Backend = "sodium";

    /// <inheritdoc />
    public bool Recognises(JsonElement root) => WycheproofFile.Matches(root, GroupType, FileAlgorithm);

    /// <inheritdoc />
    public IReadOnlyList<VectorResultRow> Run(string fileName, JsonElement root)
    {
        var tallies = new SortedDictionary<string, VectorTally>(StringComparer.Ordinal);
        foreach (var test in WycheproofFile.CasesOf(root, GroupType, FileAlgorithm))
        {
            var curve = test.GroupString("curve") ?? throw test.Error("group field 'curve' is missing");
            if (!tallies.TryGetValue(curve, out var tally))
            {
                tally = new VectorTally();
                tallies.Add(curve, tally);
            }

            tally.Add(curve == Curve ? Check(test) : CaseOutcome.Skipped);
        }

        return [.. tallies.Select(pair => pair.Value.ToRow(fileName, $"{FileAlgorithm}/{pair.Key}", pair.Key == Curve ? Backend : VectorRunner.NoBackend))];
    }

    private static CaseOutcome Check(WycheproofCase test)
    {
        var result = test.Result;
        var publicKey = test.Hex("public");
        var privateKey = test.Hex("private");
        var expected = test.Hex("shared");
        var agreed = TryAgree(privateKey, publicKey, out var shared);
        var mustAgree = result switch
        {
            WycheproofResult.Valid => true,
            WycheproofResult.Invalid => false,
            _ => expected.AsSpan().ContainsAnyExcept((byte)0),
        };

        var correct = mustAgree ? agreed && shared.AsSpan().SequenceEqual(expected) : !agreed;
        return correct ? CaseOutcome.Passed : CaseOutcome.Failed;
    }

    private static bool TryAgree(byte[] privateKey, byte[] publicKey, out byte[] shared)
    {
        shared = new byte[X25519KeyPair.KeySize];
        if (privateKey.Length != X25519KeyPair.KeySize)
        {
            // X25519KeyPair.Import refuses other sizes; that is a refusal of the case.
            return false;
        }

        using var pair = X25519KeyPair.Import(privateKey);
        return pair.TryAgree(publicKey, shared);
    }
}
