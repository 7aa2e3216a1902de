using System.Text.Json;

namespace Perf.Vectors;

/// <summary>
/// One format of known-answer vectors (Wycheproof AEAD, X25519, HKDF, HMAC; Noise/cacophony).
/// A file is recognised by its content, never by its name.
/// </summary>
public interface IVectorSuite
{
    /// <summary>Whether <paramref name="root"/> (a parsed vector file) is in this suite's format.</summary>
    bool Recognises(JsonElement root);

    /// <summary>Runs every case of a recognised file on every backend that supports it; one row per algorithm × backend.</summary>
    IReadOnlyList<VectorResultRow> Run(string fileName, JsonElement root);
}
