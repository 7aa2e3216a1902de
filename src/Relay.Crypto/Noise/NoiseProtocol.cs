using Relay.Crypto.Aead;

namespace Relay.Crypto.Noise;

/// <summary>
/// A supported Noise protocol: <c>Noise_{NN|XX|IK}_25519_{ChaChaPoly|AESGCM}_SHA256</c>
/// (Noise Protocol Framework, revision 34).
/// </summary>
public sealed record NoiseProtocol
{
    /// <summary>Noise's limit on any message, tag included.</summary>
    public const int MaxMessageLength = 65535;

    private NoiseProtocol(string name, NoisePattern pattern, AeadAlgorithm cipher)
    {
        Name = name;
        Pattern = pattern;
        Cipher = cipher;
    }

    /// <summary>The full protocol name.</summary>
    public string Name { get; }

    /// <summary>The handshake pattern.</summary>
    public NoisePattern Pattern { get; }

    /// <summary>The cipher function.</summary>
    public AeadAlgorithm Cipher { get; }

    /// <summary>XX with AES-GCM: the relay's default (as WhatsApp's Noise Pipes).</summary>
    public static NoiseProtocol XxAesGcm { get; } = Parse("Noise_XX_25519_AESGCM_SHA256");

    /// <summary>XX with ChaCha20-Poly1305.</summary>
    public static NoiseProtocol XxChaChaPoly { get; } = Parse("Noise_XX_25519_ChaChaPoly_SHA256");

    /// <summary>Parses a protocol name; throws for anything this code does not implement.</summary>
    /// <exception cref="NoiseException">With <see cref="NoiseError.UnsupportedProtocol"/>.</exception>
    public static NoiseProtocol Parse(string name) =>
        TryParse(name, out var protocol) ? protocol! : throw new NoiseException(NoiseError.UnsupportedProtocol, $"unsupported Noise protocol '{name}': this code implements Noise_{{NN,XX,IK}}_25519_{{ChaChaPoly,AESGCM}}_SHA256");

    /// <summary>Parses a protocol name; false for anything this code does not implement.</summary>
    public static bool TryParse(string? name, out NoiseProtocol? protocol)
    {
        protocol = null;
        var parts = name?.Split('_');
        if (parts is not { Length: 5 } || parts[0] != "Noise" || parts[2] != "25519" || parts[4] != "SHA256")
        {
            return false;
        }

        var pattern = NoisePattern.Find(parts[1]);
        AeadAlgorithm? cipher = parts[3] switch
        {
            "ChaChaPoly" => AeadAlgorithm.ChaCha20Poly1305,
            "AESGCM" => AeadAlgorithm.Aes256Gcm,
            _ => null,
        };
        if (pattern is null || cipher is null)
        {
            return false;
        }

        protocol = new NoiseProtocol(name!, pattern, cipher);
        return true;
    }

    /// <summary>The XX protocol for a cipher named <c>aesgcm</c> or <c>chachapoly</c>.</summary>
    public static NoiseProtocol Xx(AeadAlgorithm cipher) =>
        cipher.Id == AeadAlgorithmId.ChaCha20Poly1305 ? XxChaChaPoly : cipher.Id == AeadAlgorithmId.Aes256Gcm ? XxAesGcm
        : throw new NoiseException(NoiseError.UnsupportedProtocol, $"Noise has no cipher function for {cipher.Name}: use aesgcm or chachapoly");
}
