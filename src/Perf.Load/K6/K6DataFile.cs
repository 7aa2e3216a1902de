using System.Text.Json;
using System.Text.Json.Serialization;
using Relay.Crypto.E2e;

namespace Perf.Load.K6;

/// <summary>
/// What <c>perf k6 prepare</c> writes for <c>loadtest/k6/relay-ws.js</c>: identities, WebSocket
/// tokens and established E2E session states, so the k6 script does only per-message work.
/// The tokens and chain keys are load-test secrets; no private identity key is included (the
/// WebSocket gateway authenticates by token).
/// </summary>
public sealed record K6DataFile
{
    /// <summary>The format identifier every file of this version carries.</summary>
    public const string FormatId = "perf-k6-data/1";

    /// <summary>Always <see cref="FormatId"/>.</summary>
    [JsonPropertyName("format")] public string Format { get; init; } = FormatId;

    /// <summary>A reminder, in the file itself, that it holds secrets.</summary>
    [JsonPropertyName("warning")] public string Warning { get; init; } =
        "Load-test secrets: WebSocket tokens and E2E chain keys. Valid only against a relay started with the same --ws-secret; never commit this file.";

    /// <summary>The E2E AEAD, by its name (<c>aes-256-gcm</c>: the one k6's WebCrypto has).</summary>
    [JsonPropertyName("algorithm")] public required string Algorithm { get; init; }

    /// <summary><c>ring</c> or <c>pairs</c> (see <see cref="K6Pairing"/>).</summary>
    [JsonPropertyName("pairs")] public required string Pairs { get; init; }

    /// <summary>When the tokens expire.</summary>
    [JsonPropertyName("token_expires_at")] public required DateTimeOffset TokenExpiresAt { get; init; }

    /// <summary>One entry per identity, in index order.</summary>
    [JsonPropertyName("users")] public required IReadOnlyList<K6User> Users { get; init; }

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true };

    /// <summary>Serialises the file as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, WriteOptions);

    /// <summary>Reads and checks a data file; a clear <see cref="FormatException"/> when it is not one.</summary>
    /// <exception cref="FormatException">The text is not JSON, not this format, or inconsistent.</exception>
    public static K6DataFile Parse(string json)
    {
        K6DataFile? file;
        try
        {
            file = JsonSerializer.Deserialize<K6DataFile>(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not a k6 data file: {ex.Message}", ex);
        }

        if (file is null || file.Format != FormatId)
        {
            throw new FormatException($"not a k6 data file: \"format\" must be \"{FormatId}\".");
        }

        for (var i = 0; i < file.Users.Count; i++)
        {
            var user = file.Users[i];
            if (user is null || user.Index != i || user.SendsTo < 0 || user.SendsTo >= file.Users.Count || user.Sessions is null || user.Sessions.Count == 0 || user.Sessions.Contains(null!))
            {
                throw new FormatException($"k6 data file: user {i} is malformed (index, sends_to or sessions).");
            }
        }

        return file;
    }
}

/// <summary>One identity of a k6 data set.</summary>
public sealed record K6User
{
    /// <summary>Position in <see cref="K6DataFile.Users"/>.</summary>
    [JsonPropertyName("index")] public required int Index { get; init; }

    /// <summary>The identity's X25519 public key, base64.</summary>
    [JsonPropertyName("identity")] public required string Identity { get; init; }

    /// <summary>The WebSocket bearer token for this identity.</summary>
    [JsonPropertyName("token")] public required string Token { get; init; }

    /// <summary>The index of the user this one sends to.</summary>
    [JsonPropertyName("sends_to")] public required int SendsTo { get; init; }

    /// <summary>Every established session this user takes part in (sending and receiving).</summary>
    [JsonPropertyName("sessions")] public required IReadOnlyList<E2eSessionState> Sessions { get; init; }
}
