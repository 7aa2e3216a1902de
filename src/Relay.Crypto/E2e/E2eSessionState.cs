using System.Text.Json.Serialization;

namespace Relay.Crypto.E2e;

/// <summary>
/// An established session's state, for load-test tools (the k6 script) that are given the
/// chain keys after setup and do only per-message work. Binary fields are base64. The chain
/// keys are secrets: treat a file holding these as a load-test secret.
/// </summary>
public sealed record E2eSessionState
{
    /// <summary>Envelope version.</summary>
    [JsonPropertyName("version")] public int Version { get; init; }

    /// <summary>AEAD algorithm name, e.g. <c>aes-256-gcm</c>.</summary>
    [JsonPropertyName("algorithm")] public string Algorithm { get; init; } = string.Empty;

    /// <summary>Whether this side started the session.</summary>
    [JsonPropertyName("is_initiator")] public bool IsInitiator { get; init; }

    /// <summary>16-byte session id.</summary>
    [JsonPropertyName("session_id")] public string SessionId { get; init; } = string.Empty;

    /// <summary>This side's identity public key.</summary>
    [JsonPropertyName("local_identity")] public string LocalIdentity { get; init; } = string.Empty;

    /// <summary>The other side's identity public key.</summary>
    [JsonPropertyName("remote_identity")] public string RemoteIdentity { get; init; } = string.Empty;

    /// <summary>The initiator's ephemeral public key (carried in prekey messages).</summary>
    [JsonPropertyName("initiator_ephemeral")] public string InitiatorEphemeral { get; init; } = string.Empty;

    /// <summary>The sending chain key (secret).</summary>
    [JsonPropertyName("send_chain_key")] public string SendChainKey { get; init; } = string.Empty;

    /// <summary>The next sending counter.</summary>
    [JsonPropertyName("send_counter")] public uint SendCounter { get; init; }

    /// <summary>The receiving chain key (secret).</summary>
    [JsonPropertyName("receive_chain_key")] public string ReceiveChainKey { get; init; } = string.Empty;

    /// <summary>The next expected receiving counter.</summary>
    [JsonPropertyName("receive_next")] public uint ReceiveNext { get; init; }

    /// <summary>Whether the initiator still sends its keys in every header.</summary>
    [JsonPropertyName("prekey_pending")] public bool PrekeyPending { get; init; }
}
