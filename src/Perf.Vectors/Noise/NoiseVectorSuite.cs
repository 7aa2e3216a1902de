using System.Text.Json;
using Relay.Crypto.Aead;
using Relay.Crypto.Noise;

namespace Perf.Vectors.Noise;

/// <summary>
/// Noise vectors in the cacophony format, recognised by content: a top-level <c>vectors</c>
/// array of objects with <c>protocol_name</c>. Vectors of supported protocols (NN, XX, IK with
/// 25519, ChaChaPoly or AESGCM, SHA256, no PSK) run on every backend that has the cipher, one
/// row per protocol name × backend; all others are counted in one skipped row.
/// </summary>
public sealed class NoiseVectorSuite : IVectorSuite
{
    /// <summary>The algorithm column of the row counting unsupported protocols.</summary>
    public const string OtherProtocols = "other Noise protocols (not implemented)";

    /// <inheritdoc />
    public bool Recognises(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("vectors", out var vectors)
        && vectors.ValueKind == JsonValueKind.Array
        && vectors.GetArrayLength() > 0
        && vectors[0].ValueKind == JsonValueKind.Object
        && vectors[0].TryGetProperty("protocol_name", out _);

    /// <inheritdoc />
    public IReadOnlyList<VectorResultRow> Run(string fileName, JsonElement root)
    {
        var tallies = new SortedDictionary<(string Protocol, string Backend), VectorTally>();
        var unsupported = 0;
        foreach (var vector in root.GetProperty("vectors").EnumerateArray())
        {
            if (!NoiseVectorReplay.IsSupported(vector, out var protocol))
            {
                unsupported++;
                continue;
            }

            foreach (var backend in AeadBackend.Concrete)
            {
                var key = (protocol!.Name, backend.Name);
                if (!tallies.TryGetValue(key, out var tally))
                {
                    tallies[key] = tally = new VectorTally();
                }

                if (!backend.IsSupported(protocol.Cipher, out _))
                {
                    tally.Skip(1);
                    continue;
                }

                tally.Add(NoiseVectorReplay.Replay(vector, protocol, backend) is null ? CaseOutcome.Passed : CaseOutcome.Failed);
            }
        }

        var rows = new List<VectorResultRow>();
        foreach (var ((protocolName, backendName), tally) in tallies)
        {
            rows.Add(tally.ToRow(fileName, protocolName, backendName));
        }

        if (unsupported > 0)
        {
            rows.Add(new VectorResultRow(fileName, OtherProtocols, VectorRunner.NoBackend, 0, 0, unsupported));
        }

        return rows;
    }
}
