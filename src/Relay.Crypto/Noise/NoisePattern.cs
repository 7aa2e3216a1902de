namespace Relay.Crypto.Noise;

/// <summary>The tokens of a handshake message.</summary>
public enum NoiseToken
{
    /// <summary>Send or receive an ephemeral public key.</summary>
    E,

    /// <summary>Send or receive a (possibly encrypted) static public key.</summary>
    S,

    /// <summary>DH between the two ephemeral keys.</summary>
    EE,

    /// <summary>DH between the initiator's ephemeral and the responder's static key.</summary>
    ES,

    /// <summary>DH between the initiator's static and the responder's ephemeral key.</summary>
    SE,

    /// <summary>DH between the two static keys.</summary>
    SS,
}

/// <summary>A handshake pattern: NN, XX or IK (revision 34, section 7).</summary>
public sealed class NoisePattern
{
    private static readonly NoisePattern Nn = new("NN", responderPreMessageS: false, [[NoiseToken.E], [NoiseToken.E, NoiseToken.EE]]);

    private static readonly NoisePattern Xx = new("XX", responderPreMessageS: false,
        [[NoiseToken.E], [NoiseToken.E, NoiseToken.EE, NoiseToken.S, NoiseToken.ES], [NoiseToken.S, NoiseToken.SE]]);

    private static readonly NoisePattern Ik = new("IK", responderPreMessageS: true,
        [[NoiseToken.E, NoiseToken.ES, NoiseToken.S, NoiseToken.SS], [NoiseToken.E, NoiseToken.EE, NoiseToken.SE]]);

    private NoisePattern(string name, bool responderPreMessageS, NoiseToken[][] messages)
    {
        Name = name;
        ResponderStaticIsKnown = responderPreMessageS;
        Messages = messages;
    }

    /// <summary>The pattern's name.</summary>
    public string Name { get; }

    /// <summary>Whether the initiator knows the responder's static key in advance (the <c>&lt;- s</c> pre-message of IK).</summary>
    public bool ResponderStaticIsKnown { get; }

    /// <summary>The handshake messages' tokens; even indexes are the initiator's.</summary>
    public IReadOnlyList<NoiseToken[]> Messages { get; }

    /// <summary>Finds a pattern by name, or <c>null</c>.</summary>
    public static NoisePattern? Find(string name) => name switch
    {
        "NN" => Nn,
        "XX" => Xx,
        "IK" => Ik,
        _ => null,
    };
}
