using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;

namespace Relay.Crypto.Noise;

/// <summary>
/// Noise's HandshakeState for the NN, XX and IK patterns with 25519 and SHA-256. Call
/// <see cref="WriteMessage"/> and <see cref="ReadMessage"/> in the pattern's order; after the
/// last message <see cref="IsComplete"/> is true and <see cref="Split"/> gives the transport.
/// The handshake may allocate; the transport it yields does not.
/// </summary>
public sealed class HandshakeState : IDisposable
{
    private const int DhLength = 32;

    private readonly NoiseProtocol _protocol;
    private readonly SymmetricState _symmetric;
    private readonly bool _initiator;
    private readonly X25519KeyPair? _localStatic;
    private readonly bool _ownsEphemeral;
    private X25519KeyPair? _localEphemeral;
    private byte[]? _remoteStatic;
    private byte[]? _remoteEphemeral;
    private int _messageIndex;

    /// <summary>Initialize(handshake_pattern, initiator, prologue, s, e, rs, re).</summary>
    /// <param name="protocol">The protocol.</param>
    /// <param name="initiator">Whether this side starts.</param>
    /// <param name="prologue">Data both sides must agree on (bound into h).</param>
    /// <param name="localStatic">This side's static key pair (required by XX; by IK on both sides).</param>
    /// <param name="remoteStatic">The responder's static public key, known in advance (IK initiator).</param>
    /// <param name="backend">The AEAD backend.</param>
    /// <param name="localEphemeral">A fixed ephemeral key pair (test vectors only); a fresh one is generated otherwise.</param>
    public HandshakeState(NoiseProtocol protocol, bool initiator, ReadOnlySpan<byte> prologue, X25519KeyPair? localStatic, ReadOnlySpan<byte> remoteStatic, AeadBackend backend, X25519KeyPair? localEphemeral = null)
    {
        _protocol = protocol ?? throw new ArgumentNullException(nameof(protocol));
        _initiator = initiator;
        _localStatic = localStatic;
        _localEphemeral = localEphemeral;
        _ownsEphemeral = localEphemeral is null;
        _symmetric = new SymmetricState(protocol, backend);
        _symmetric.MixHash(prologue);
        if (protocol.Pattern.ResponderStaticIsKnown)
        {
            if (initiator)
            {
                if (remoteStatic.Length != DhLength)
                {
                    throw new NoiseException(NoiseError.MissingKey, $"{protocol.Pattern.Name} needs the responder's static public key in advance");
                }

                _remoteStatic = remoteStatic.ToArray();
                _symmetric.MixHash(remoteStatic);
            }
            else
            {
                _symmetric.MixHash(RequireLocalStatic().PublicKey);
            }
        }
    }

    /// <summary>Whether every handshake message has been written or read.</summary>
    public bool IsComplete => _messageIndex == _protocol.Pattern.Messages.Count;

    /// <summary>Whether this side writes the next message.</summary>
    public bool IsMyTurn => !IsComplete && (_messageIndex % 2 == 0) == _initiator;

    /// <summary>The peer's static public key once received (or known in advance), else empty.</summary>
    public ReadOnlySpan<byte> RemoteStaticKey => _remoteStatic;

    /// <summary>The handshake hash h (channel binding once complete).</summary>
    public ReadOnlySpan<byte> HandshakeHash => _symmetric.HandshakeHash;

    /// <summary>An upper bound on the next message's size with a payload of <paramref name="payloadLength"/> bytes.</summary>
    public int MaxMessageSize(int payloadLength) => (3 * DhLength) + (3 * 16) + payloadLength;

    /// <summary>Writes the next handshake message with <paramref name="payload"/> into <paramref name="destination"/>; returns its length.</summary>
    /// <exception cref="NoiseException">Not this side's turn, the handshake is over, a key is missing or invalid, or the message is over 65535 bytes.</exception>
    public int WriteMessage(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (!IsMyTurn)
        {
            throw new NoiseException(NoiseError.UnexpectedMessage, IsComplete ? "the handshake is already complete" : "it is the peer's turn to send a handshake message");
        }

        var offset = 0;
        foreach (var token in _protocol.Pattern.Messages[_messageIndex])
        {
            switch (token)
            {
                case NoiseToken.E:
                    _localEphemeral ??= X25519KeyPair.Generate();
                    _localEphemeral.PublicKey.CopyTo(destination[offset..]);
                    _symmetric.MixHash(_localEphemeral.PublicKey);
                    offset += DhLength;
                    break;
                case NoiseToken.S:
                    offset += _symmetric.EncryptAndHash(RequireLocalStatic().PublicKey, destination[offset..]);
                    break;
                default:
                    MixDh(token);
                    break;
            }
        }

        offset += _symmetric.EncryptAndHash(payload, destination[offset..]);
        if (offset > NoiseProtocol.MaxMessageLength)
        {
            throw new NoiseException(NoiseError.MessageTooLarge, $"a handshake message of {offset} bytes is over Noise's 65535-byte limit");
        }

        _messageIndex++;
        return offset;
    }

    /// <summary>Reads the peer's next handshake message, writing its payload into <paramref name="payload"/>; returns the payload length.</summary>
    /// <exception cref="NoiseException">Out of turn, truncated, an invalid key, or a failed tag.</exception>
    public int ReadMessage(ReadOnlySpan<byte> message, Span<byte> payload)
    {
        if (IsComplete || IsMyTurn)
        {
            throw new NoiseException(NoiseError.UnexpectedMessage, IsComplete ? "a handshake message arrived after the handshake completed" : "a handshake message arrived when this side should send");
        }

        var offset = 0;
        foreach (var token in _protocol.Pattern.Messages[_messageIndex])
        {
            switch (token)
            {
                case NoiseToken.E:
                    _remoteEphemeral = Take(message, ref offset, DhLength).ToArray();
                    _symmetric.MixHash(_remoteEphemeral);
                    break;
                case NoiseToken.S:
                    var length = _symmetric.Cipher.HasKey ? DhLength + 16 : DhLength;
                    var encrypted = Take(message, ref offset, length);
                    var key = new byte[DhLength];
                    _symmetric.DecryptAndHash(encrypted, key);
                    _remoteStatic = key;
                    break;
                default:
                    MixDh(token);
                    break;
            }
        }

        var rest = message[offset..];
        if (_symmetric.Cipher.HasKey && rest.Length < 16)
        {
            throw new NoiseException(NoiseError.Truncated, "a handshake message is shorter than its pattern requires");
        }

        var written = _symmetric.DecryptAndHash(rest, payload);
        _messageIndex++;
        return written;
    }

    /// <summary>Split() once the handshake is complete: (sending, receiving) cipher states for this side.</summary>
    /// <exception cref="NoiseException">The handshake is not complete.</exception>
    public NoiseTransport Split()
    {
        if (!IsComplete)
        {
            throw new NoiseException(NoiseError.UnexpectedMessage, "Split before the handshake completed");
        }

        var (initiatorToResponder, responderToInitiator) = _symmetric.Split();
        return _initiator
            ? new NoiseTransport(initiatorToResponder, responderToInitiator)
            : new NoiseTransport(responderToInitiator, initiatorToResponder);
    }

    /// <summary>Wipes the handshake's secrets (and the ephemeral key it generated).</summary>
    public void Dispose()
    {
        _symmetric.Dispose();
        if (_ownsEphemeral)
        {
            _localEphemeral?.Dispose();
        }
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> message, ref int offset, int length)
    {
        if (message.Length - offset < length)
        {
            throw new NoiseException(NoiseError.Truncated, "a handshake message is shorter than its pattern requires");
        }

        var slice = message.Slice(offset, length);
        offset += length;
        return slice;
    }

    private X25519KeyPair RequireLocalStatic() =>
        _localStatic ?? throw new NoiseException(NoiseError.MissingKey, $"{_protocol.Pattern.Name} needs a local static key pair");

    // ee, es, se, ss: which side's key is local depends on the role (es = initiator's e with responder's s).
    private void MixDh(NoiseToken token)
    {
        var (local, remote) = token switch
        {
            NoiseToken.EE => (_localEphemeral, _remoteEphemeral),
            NoiseToken.ES => _initiator ? (_localEphemeral, _remoteStatic) : (_localStatic, _remoteEphemeral),
            NoiseToken.SE => _initiator ? (_localStatic, _remoteEphemeral) : (_localEphemeral, _remoteStatic),
            _ => (_localStatic, _remoteStatic),
        };
        if (local is null || remote is null)
        {
            throw new NoiseException(NoiseError.MissingKey, $"the {token} token needs a key this side does not have");
        }

        Span<byte> shared = stackalloc byte[DhLength];
        if (!local.TryAgree(remote, shared))
        {
            throw new NoiseException(NoiseError.InvalidPublicKey, "the peer sent an invalid public key (low-order point)");
        }

        _symmetric.MixKey(shared);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(shared);
    }
}
