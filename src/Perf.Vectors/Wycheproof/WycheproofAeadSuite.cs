using System.Security.Cryptography;
using System.Text.Json;
using Relay.Crypto.Aead;

namespace Perf.Vectors.Wycheproof;

/// <summary>
/// Wycheproof AEAD files (<c>AeadTest</c> groups) for AES-GCM, ChaCha20-Poly1305 and
/// XChaCha20-Poly1305, run on every concrete backend (<see cref="AeadBackend.Concrete"/>).
/// <list type="bullet">
/// <item><c>valid</c>: sealing gives exactly <c>ct || tag</c> and opening that gives back <c>msg</c>.</item>
/// <item><c>invalid</c>: opening <c>ct || tag</c> is refused — a failed tag check, or the cipher's
/// argument check for a nonce size or ciphertext length the algorithm does not define.</item>
/// <item><c>acceptable</c> (none in the current files): held to the <c>valid</c> standard.</item>
/// <item>Skipped: keys other than 256 bits (AES-128/192-GCM), a non-invalid case whose nonce or tag
/// size is not the algorithm's (GCM allows any IV length; the ciphers here take 96 bits), and every
/// case on a backend without the algorithm (XChaCha20-Poly1305 on openssl).</item>
/// </list>
/// </summary>
public sealed class WycheproofAeadSuite : IVectorSuite
{
    private const string GroupType = "AeadTest";

    private static readonly Dictionary<string, AeadAlgorithm> Algorithms = new(StringComparer.Ordinal)
    {
        ["AES-GCM"] = AeadAlgorithm.Aes256Gcm,
        ["CHACHA20-POLY1305"] = AeadAlgorithm.ChaCha20Poly1305,
        ["XCHACHA20-POLY1305"] = AeadAlgorithm.XChaCha20Poly1305,
    };

    /// <inheritdoc />
    public bool Recognises(JsonElement root) => WycheproofFile.Matches(root, GroupType, [.. Algorithms.Keys]);

    /// <inheritdoc />
    public IReadOnlyList<VectorResultRow> Run(string fileName, JsonElement root)
    {
        var vectors = WycheproofFile.CasesOf(root, GroupType, [.. Algorithms.Keys]).Select(AeadVector.Read).ToList();
        var name = WycheproofFile.Algorithm(root)!;
        var algorithm = Algorithms[name];
        var rows = new List<VectorResultRow>();
        foreach (var backend in AeadBackend.Concrete)
        {
            var tally = new VectorTally();
            if (backend.IsSupported(algorithm, out _))
            {
                vectors.ForEach(vector => tally.Add(Check(backend, algorithm, vector)));
            }
            else
            {
                tally.Skip(vectors.Count);
            }

            rows.Add(tally.ToRow(fileName, name, backend.Name));
        }

        return rows;
    }

    private static CaseOutcome Check(AeadBackend backend, AeadAlgorithm algorithm, AeadVector vector)
    {
        if (vector.Key.Length != algorithm.KeySize)
        {
            return CaseOutcome.Skipped;
        }

        using var cipher = backend.Create(algorithm, vector.Key);
        if (vector.Result == WycheproofResult.Invalid)
        {
            return Refuses(cipher, vector) ? CaseOutcome.Passed : CaseOutcome.Failed;
        }

        if (vector.Iv.Length != algorithm.NonceSize || vector.Tag.Length != algorithm.TagSize)
        {
            return CaseOutcome.Skipped;
        }

        return SealsAndOpensExactly(cipher, vector) ? CaseOutcome.Passed : CaseOutcome.Failed;
    }

    private static bool Refuses(AeadCipher cipher, AeadVector vector)
    {
        var opened = new byte[Math.Max(0, vector.Sealed.Length - cipher.TagSize)];
        try
        {
            return !cipher.TryOpen(vector.Iv, vector.Aad, vector.Sealed, opened);
        }
        catch (ArgumentException)
        {
            // The cipher's own argument check refused a nonce size or length the algorithm does not define.
            return true;
        }
    }

    private static bool SealsAndOpensExactly(AeadCipher cipher, AeadVector vector)
    {
        try
        {
            var sealedBytes = new byte[vector.Msg.Length + cipher.TagSize];
            cipher.Seal(vector.Iv, vector.Aad, vector.Msg, sealedBytes);
            var opened = new byte[vector.Sealed.Length - cipher.TagSize];
            return sealedBytes.AsSpan().SequenceEqual(vector.Sealed)
                && cipher.TryOpen(vector.Iv, vector.Aad, vector.Sealed, opened)
                && opened.AsSpan().SequenceEqual(vector.Msg);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            // A valid case the cipher throws on (a ct/msg length mismatch in the file, a backend error) is a failure, not a crash.
            return false;
        }
    }

    private sealed record AeadVector(WycheproofResult Result, byte[] Key, byte[] Iv, byte[] Aad, byte[] Msg, byte[] Sealed, byte[] Tag)
    {
        public static AeadVector Read(WycheproofCase test)
        {
            var ciphertext = test.Hex("ct");
            var tag = test.Hex("tag");
            return new(test.Result, test.Hex("key"), test.Hex("iv"), test.Hex("aad"), test.Hex("msg"), [.. ciphertext, .. tag], tag);
        }
    }
}
