using System.Buffers.Binary;
using System.Security.Cryptography;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;

namespace Relay.Crypto.E2e;

/// <summary>
/// One end-to-end session between two identities, on the client side only (the relay never
/// has these keys). The initiator creates it with <see cref="Initiate(X25519KeyPair, ReadOnlySpan{byte}, E2eSessionOptions)"/>; the recipient
/// rebuilds it from the initiator's first envelope with <see cref="TryAccept"/>. Each side has
/// a sending and a receiving chain (<see cref="SymmetricChain"/>): every message gets a fresh
/// key, and the AEAD is rekeyed per message rather than recreated. Sealing and opening may
/// run on two different threads at once; two seals (or two opens) may not.
/// </summary>
public sealed class E2eSession : IDisposable
{
    private readonly E2eSessionOptions _options;
    private readonly PaddingScheme _padding;
    private readonly AeadCipher _sealCipher;
    private readonly AeadCipher _openCipher;
    private readonly byte[] _sessionId;
    private readonly byte[] _localIdentity;
    private readonly byte[] _remoteIdentity;
    private readonly byte[] _initiatorEphemeral;
    private readonly byte[] _sendChain;
    private readonly byte[] _receiveChain;
    private readonly byte[] _skipScratch;
    private readonly SkippedKeyWindow _skipped;
    private readonly byte _algorithmCode;
    private uint _sendCounter;
    private uint _receiveNext;
    private bool _prekeyPending;
    private bool _disposed;

    private E2eSession(E2eSessionOptions options, bool isInitiator, ReadOnlySpan<byte> localIdentity, ReadOnlySpan<byte> remoteIdentity, ReadOnlySpan<byte> initiatorEphemeral, ReadOnlySpan<byte> keys)
    {
        options.Validate();
        _options = options;
        _padding = options.EffectivePadding;
        IsInitiator = isInitiator;
        _algorithmCode = E2eEnvelope.AlgorithmCode(options.Algorithm);
        _sessionId = keys[..E2eEnvelope.SessionIdSize].ToArray();
        var initiatorToRecipient = keys.Slice(E2eEnvelope.SessionIdSize, SymmetricChain.KeySize);
        var recipientToInitiator = keys.Slice(E2eEnvelope.SessionIdSize + SymmetricChain.KeySize, SymmetricChain.KeySize);
        _sendChain = (isInitiator ? initiatorToRecipient : recipientToInitiator).ToArray();
        _receiveChain = (isInitiator ? recipientToInitiator : initiatorToRecipient).ToArray();
        _localIdentity = localIdentity.ToArray();
        _remoteIdentity = remoteIdentity.ToArray();
        _initiatorEphemeral = initiatorEphemeral.ToArray();
        _prekeyPending = isInitiator;
        _skipped = new SkippedKeyWindow(options.MaxSkippedKeys);
        _skipScratch = new byte[options.MaxSkippedKeys * SymmetricChain.KeySize];
        // Placeholder keys: every seal and open rekeys with its message key first.
        Span<byte> zero = stackalloc byte[AeadAlgorithm.KeySizeBytes];
        zero.Clear();
        _sealCipher = options.Backend.Create(options.Algorithm, zero);
        _openCipher = options.Backend.Create(options.Algorithm, zero);
    }

    /// <summary>Whether this side started the session.</summary>
    public bool IsInitiator { get; }

    /// <summary>The 16-byte session id both sides share.</summary>
    public ReadOnlySpan<byte> SessionId => _sessionId;

    /// <summary>The other side's identity public key.</summary>
    public ReadOnlySpan<byte> RemoteIdentity => _remoteIdentity;

    /// <summary>The session's AEAD algorithm.</summary>
    public AeadAlgorithm Algorithm => _options.Algorithm;

    /// <summary>How many messages this side has sealed.</summary>
    public uint SentCount => _sendCounter;

    /// <summary>
    /// Starts a session from <paramref name="local"/> to the recipient identity
    /// <paramref name="remoteIdentity"/> with a fresh ephemeral key.
    /// </summary>
    /// <exception cref="ArgumentException">The recipient key is not a usable X25519 public key.</exception>
    public static E2eSession Initiate(X25519KeyPair local, ReadOnlySpan<byte> remoteIdentity, E2eSessionOptions options)
    {
        using var ephemeral = X25519KeyPair.Generate();
        return Initiate(local, ephemeral, remoteIdentity, options);
    }

    /// <summary>As <see cref="Initiate(X25519KeyPair, ReadOnlySpan{byte}, E2eSessionOptions)"/> with a given ephemeral key (tests and vectors).</summary>
    public static E2eSession Initiate(X25519KeyPair local, X25519KeyPair ephemeral, ReadOnlySpan<byte> remoteIdentity, E2eSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(ephemeral);
        ArgumentNullException.ThrowIfNull(options);
        Span<byte> dh1 = stackalloc byte[32];
        Span<byte> dh2 = stackalloc byte[32];
        Span<byte> keys = stackalloc byte[E2eKeySchedule.OutputSize];
        try
        {
            if (!local.TryAgree(remoteIdentity, dh1) || !ephemeral.TryAgree(remoteIdentity, dh2))
            {
                throw new ArgumentException("The recipient identity is not a usable X25519 public key.", nameof(remoteIdentity));
            }

            E2eKeySchedule.Derive(dh1, dh2, local.PublicKey, remoteIdentity, ephemeral.PublicKey, keys);
            return new E2eSession(options, isInitiator: true, local.PublicKey, remoteIdentity, ephemeral.PublicKey, keys);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh1);
            CryptographicOperations.ZeroMemory(dh2);
            CryptographicOperations.ZeroMemory(keys);
        }
    }

    /// <summary>
    /// Rebuilds, on the recipient's side, the session an initiator's prekey envelope belongs to
    /// (its header carries the initiator's identity and ephemeral keys). The envelope is not
    /// opened: call <see cref="TryOpen"/> with it next; a forged header gives a session whose
    /// first open fails authentication.
    /// </summary>
    public static E2eError TryAccept(X25519KeyPair local, ReadOnlySpan<byte> envelope, E2eSessionOptions options, out E2eSession? session)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(options);
        session = null;
        var error = E2eEnvelope.TryReadHeader(envelope, out var header);
        if (error != E2eError.None)
        {
            return error;
        }

        if (!header.IsPrekey)
        {
            return E2eError.MalformedHeader;
        }

        if (header.Algorithm != options.Algorithm)
        {
            return E2eError.UnknownAlgorithm;
        }

        Span<byte> dh1 = stackalloc byte[32];
        Span<byte> dh2 = stackalloc byte[32];
        Span<byte> keys = stackalloc byte[E2eKeySchedule.OutputSize];
        try
        {
            if (!local.TryAgree(header.InitiatorIdentity, dh1) || !local.TryAgree(header.InitiatorEphemeral, dh2))
            {
                return E2eError.InvalidKey;
            }

            E2eKeySchedule.Derive(dh1, dh2, header.InitiatorIdentity, local.PublicKey, header.InitiatorEphemeral, keys);
            if (!header.SessionId.SequenceEqual(keys[..E2eEnvelope.SessionIdSize]))
            {
                return E2eError.UnknownSession;
            }

            session = new E2eSession(options, isInitiator: false, local.PublicKey, header.InitiatorIdentity, header.InitiatorEphemeral, keys);
            return E2eError.None;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh1);
            CryptographicOperations.ZeroMemory(dh2);
            CryptographicOperations.ZeroMemory(keys);
        }
    }

    /// <summary>The envelope size <see cref="Seal"/> writes for a plaintext of <paramref name="plaintextLength"/> bytes.</summary>
    public int GetEnvelopeSize(int plaintextLength) =>
        (_prekeyPending ? E2eEnvelope.PrekeyHeaderSize : E2eEnvelope.BaseHeaderSize) + PaddedLength(plaintextLength) + AeadAlgorithm.TagSizeBytes;

    /// <summary>The largest plaintext an envelope of <paramref name="envelopeLength"/> bytes can hold.</summary>
    public static int MaxPlaintextLength(int envelopeLength) => Math.Max(0, envelopeLength - E2eEnvelope.BaseHeaderSize - AeadAlgorithm.TagSizeBytes);

    /// <summary>
    /// Seals <paramref name="plaintext"/> as the next message of the sending chain into
    /// <paramref name="envelope"/> (at least <see cref="GetEnvelopeSize"/> bytes); returns the
    /// bytes written. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is too small.</exception>
    /// <exception cref="InvalidOperationException">The chain has sent 2^32 messages; start a new session.</exception>
    public int Seal(ReadOnlySpan<byte> plaintext, Span<byte> envelope)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var size = GetEnvelopeSize(plaintext.Length);
        if (envelope.Length < size)
        {
            throw new ArgumentException($"The envelope needs {size} bytes; the destination has {envelope.Length}.", nameof(envelope));
        }

        if (_sendCounter == uint.MaxValue)
        {
            throw new InvalidOperationException("This session's sending chain is exhausted (2^32 messages); start a new session.");
        }

        var headerSize = WriteHeader(envelope);
        var bodyLength = PaddedLength(plaintext.Length);
        var body = envelope.Slice(headerSize, bodyLength);
        plaintext.CopyTo(body);
        if (_padding.Pads)
        {
            body[plaintext.Length] = 0x80;
            body[(plaintext.Length + 1)..].Clear();
        }

        Span<byte> messageKey = stackalloc byte[SymmetricChain.KeySize];
        SymmetricChain.Step(_sendChain, messageKey);
        _sealCipher.Rekey(messageKey);
        CryptographicOperations.ZeroMemory(messageKey);
        Span<byte> nonce = stackalloc byte[_options.Algorithm.NonceSize];
        WriteNonce(nonce, _sendCounter);
        _sealCipher.Seal(nonce, envelope[..headerSize], body, envelope.Slice(headerSize, bodyLength + AeadAlgorithm.TagSizeBytes));
        _sendCounter++;
        return size;
    }

    /// <summary>
    /// Opens an envelope of this session into <paramref name="plaintext"/> (at least
    /// <c>envelope length - header - 16</c> bytes). Accepts messages out of order within the
    /// skipped-key window; refuses duplicates, replays and jumps past the window. On any
    /// refusal the session is unchanged. Allocates nothing.
    /// </summary>
    public E2eError TryOpen(ReadOnlySpan<byte> envelope, Span<byte> plaintext, out int written)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        written = 0;
        var error = TryReadOwnHeader(envelope, out var header);
        if (error != E2eError.None)
        {
            return error;
        }

        var ciphertext = envelope[header.Bytes.Length..];
        var bodyLength = ciphertext.Length - AeadAlgorithm.TagSizeBytes;
        if (plaintext.Length < bodyLength)
        {
            return E2eError.DestinationTooSmall;
        }

        Span<byte> nonce = stackalloc byte[_options.Algorithm.NonceSize];
        WriteNonce(nonce, header.Counter);
        error = header.Counter < _receiveNext
            ? TryOpenSkipped(header, nonce, ciphertext, plaintext[..bodyLength], out written)
            : TryOpenAhead(header, nonce, ciphertext, plaintext[..bodyLength], out written);

        // The recipient has answered: the initiator's keys need not travel any more.
        if (error == E2eError.None && IsInitiator)
        {
            _prekeyPending = false;
        }

        return error;
    }

    // Parses the header and checks that it is this session's: algorithm, session id, and (only on
    // the initiator's messages) the initiator's keys.
    private E2eError TryReadOwnHeader(ReadOnlySpan<byte> envelope, out E2eHeader header)
    {
        var error = E2eEnvelope.TryReadHeader(envelope, out header);
        if (error != E2eError.None)
        {
            return error;
        }

        if (header.Algorithm != _options.Algorithm)
        {
            return E2eError.UnknownAlgorithm;
        }

        if (!header.SessionId.SequenceEqual(_sessionId))
        {
            return E2eError.UnknownSession;
        }

        return header.IsPrekey && (IsInitiator || !header.InitiatorIdentity.SequenceEqual(_remoteIdentity) || !header.InitiatorEphemeral.SequenceEqual(_initiatorEphemeral))
            ? E2eError.MalformedHeader
            : E2eError.None;
    }

    // A message from before the chain's position: opens only with a key the skipped window kept,
    // which is forgotten once the message has opened (a second copy is then a replay).
    private E2eError TryOpenSkipped(in E2eHeader header, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, Span<byte> body, out int written)
    {
        written = 0;
        var slot = _skipped.Find(header.Counter);
        if (slot < 0)
        {
            return E2eError.Replay;
        }

        _openCipher.Rekey(_skipped.Key(slot));
        if (!_openCipher.TryOpen(nonce, header.Bytes, ciphertext, body))
        {
            return E2eError.AuthenticationFailed;
        }

        if (!TryUnpad(header, body, out written))
        {
            return E2eError.BadPadding;
        }

        _skipped.Remove(slot);
        return E2eError.None;
    }

    // The next message or one up to the window ahead: the chain is walked on a copy and committed,
    // with the keys of the messages skipped over, only once the message has authenticated and its
    // padding checked, so a refusal leaves the session as it was.
    private E2eError TryOpenAhead(in E2eHeader header, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, Span<byte> body, out int written)
    {
        written = 0;
        var counter = header.Counter;
        var skip = counter - _receiveNext;
        if (skip > (uint)_skipped.Capacity)
        {
            return E2eError.TooFarAhead;
        }

        Span<byte> chain = stackalloc byte[SymmetricChain.KeySize];
        Span<byte> messageKey = stackalloc byte[SymmetricChain.KeySize];
        _receiveChain.CopyTo(chain);
        for (var i = 0; i < (int)skip; i++)
        {
            SymmetricChain.Step(chain, SkippedKeyScratch(i));
        }

        SymmetricChain.Step(chain, messageKey);
        _openCipher.Rekey(messageKey);
        CryptographicOperations.ZeroMemory(messageKey);
        var error = !_openCipher.TryOpen(nonce, header.Bytes, ciphertext, body) ? E2eError.AuthenticationFailed
            : !TryUnpad(header, body, out written) ? E2eError.BadPadding
            : E2eError.None;
        if (error == E2eError.None)
        {
            for (var i = 0; i < (int)skip; i++)
            {
                _skipped.Add(_receiveNext + (uint)i, SkippedKeyScratch(i));
            }

            chain.CopyTo(_receiveChain);
            _receiveNext = counter + 1;
        }

        CryptographicOperations.ZeroMemory(chain);
        return error;
    }

    private Span<byte> SkippedKeyScratch(int index) => _skipScratch.AsSpan(index * SymmetricChain.KeySize, SymmetricChain.KeySize);

    // The plaintext length once ISO/IEC 7816-4 padding (0x80 then zeros) is removed; false when the padded flag's padding is not there.
    private static bool TryUnpad(in E2eHeader header, ReadOnlySpan<byte> body, out int written)
    {
        written = body.Length;
        if (!header.IsPadded)
        {
            return true;
        }

        var end = body.LastIndexOfAnyExcept((byte)0);
        if (end < 0 || body[end] != 0x80)
        {
            written = 0;
            return false;
        }

        written = end;
        return true;
    }

    /// <summary>Exports the session's state (chain keys included: a secret) for load-test tools that do only per-message work.</summary>
    public E2eSessionState ExportState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new E2eSessionState
        {
            Version = E2eEnvelope.Version,
            Algorithm = _options.Algorithm.Name,
            IsInitiator = IsInitiator,
            SessionId = Convert.ToBase64String(_sessionId),
            LocalIdentity = Convert.ToBase64String(_localIdentity),
            RemoteIdentity = Convert.ToBase64String(_remoteIdentity),
            InitiatorEphemeral = Convert.ToBase64String(_initiatorEphemeral),
            SendChainKey = Convert.ToBase64String(_sendChain),
            SendCounter = _sendCounter,
            ReceiveChainKey = Convert.ToBase64String(_receiveChain),
            ReceiveNext = _receiveNext,
            PrekeyPending = _prekeyPending,
        };
    }

    /// <summary>Rebuilds a session from <see cref="ExportState"/>'s output (skipped keys are not carried over).</summary>
    /// <exception cref="FormatException">A field is missing, not base64, or of the wrong size.</exception>
    public static E2eSession ImportState(E2eSessionState state, E2eSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        if (state.Version != E2eEnvelope.Version)
        {
            throw new FormatException($"session state version {state.Version} is not {E2eEnvelope.Version}.");
        }

        if (!AeadAlgorithm.TryParse(state.Algorithm, out var algorithm) || algorithm != options.Algorithm)
        {
            throw new FormatException($"session state algorithm '{state.Algorithm}' does not match the options' {options.Algorithm.Name}.");
        }

        Span<byte> keys = stackalloc byte[E2eKeySchedule.OutputSize];
        Decode(state.SessionId, keys[..E2eEnvelope.SessionIdSize], nameof(state.SessionId));
        var send = keys.Slice(E2eEnvelope.SessionIdSize + (state.IsInitiator ? 0 : SymmetricChain.KeySize), SymmetricChain.KeySize);
        var receive = keys.Slice(E2eEnvelope.SessionIdSize + (state.IsInitiator ? SymmetricChain.KeySize : 0), SymmetricChain.KeySize);
        Decode(state.SendChainKey, send, nameof(state.SendChainKey));
        Decode(state.ReceiveChainKey, receive, nameof(state.ReceiveChainKey));
        Span<byte> local = stackalloc byte[32];
        Span<byte> remote = stackalloc byte[32];
        Span<byte> ephemeral = stackalloc byte[32];
        Decode(state.LocalIdentity, local, nameof(state.LocalIdentity));
        Decode(state.RemoteIdentity, remote, nameof(state.RemoteIdentity));
        Decode(state.InitiatorEphemeral, ephemeral, nameof(state.InitiatorEphemeral));
        var session = new E2eSession(options, state.IsInitiator, local, remote, ephemeral, keys)
        {
            _sendCounter = state.SendCounter,
            _receiveNext = state.ReceiveNext,
            _prekeyPending = state.PrekeyPending,
        };
        CryptographicOperations.ZeroMemory(keys);
        return session;
    }

    /// <summary>Wipes the chain keys and releases the ciphers.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CryptographicOperations.ZeroMemory(_sendChain);
        CryptographicOperations.ZeroMemory(_receiveChain);
        CryptographicOperations.ZeroMemory(_skipScratch);
        _skipped.Clear();
        _sealCipher.Dispose();
        _openCipher.Dispose();
    }

    private int WriteHeader(Span<byte> envelope)
    {
        envelope[0] = E2eEnvelope.Version;
        envelope[1] = _algorithmCode;
        var flags = (byte)((_prekeyPending ? E2eEnvelope.PrekeyFlag : 0) | (_padding.Pads ? E2eEnvelope.PaddedFlag : 0));
        envelope[2] = flags;
        _sessionId.CopyTo(envelope[3..]);
        BinaryPrimitives.WriteUInt32BigEndian(envelope[19..], _sendCounter);
        if (!_prekeyPending)
        {
            return E2eEnvelope.BaseHeaderSize;
        }

        _localIdentity.CopyTo(envelope[E2eEnvelope.BaseHeaderSize..]);
        _initiatorEphemeral.CopyTo(envelope[(E2eEnvelope.BaseHeaderSize + 32)..]);
        return E2eEnvelope.PrekeyHeaderSize;
    }

    private int PaddedLength(int plaintextLength) => _padding.PaddedLength(plaintextLength);

    // Each message key seals exactly one message, so the nonce need not be secret or random:
    // zeros, then the counter (big-endian) in the last four bytes.
    private static void WriteNonce(Span<byte> nonce, uint counter)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[^4..], counter);
    }

    private static void Decode(string? base64, Span<byte> destination, string field)
    {
        if (base64 is null || !Convert.TryFromBase64String(base64, destination, out var written) || written != destination.Length)
        {
            throw new FormatException($"session state field {field} must be {destination.Length} bytes of base64.");
        }
    }
}
