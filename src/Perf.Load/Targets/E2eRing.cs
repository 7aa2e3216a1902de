using System.Diagnostics;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;
using Relay.Crypto.Signatures;
using Relay.Protocol.Frames;

namespace Perf.Load.Targets;

/// <summary>
/// The E2E side of a load run: one identity per connection, connection i sending to
/// connection (i + 1) mod N. Every session is fully established before the run (first message
/// and reply exchanged in memory), so measured messages carry the short steady-state header,
/// as in a long-running conversation. The sender's session is used only by the scheduling
/// thread and the recipient's only by its connection's receive loop. With padding every plaintext
/// is padded by the scheme; with sealed sender every envelope is wrapped with the sender's
/// certificate for the recipient (<see cref="UseCertificate"/> must have run for every connection)
/// and opened, checked and bound to the session before it counts as delivered.
/// </summary>
public sealed class E2eRing : IDisposable
{
    private readonly X25519KeyPair[] _identities;
    private readonly E2eSession[] _senders;
    private readonly E2eSession[] _receivers;
    private readonly byte[][] _payloads;
    private readonly byte[][] _envelopes;
    private readonly byte[][] _opened;
    private readonly SealedRing? _sealed;

    /// <summary>Creates identities and established sessions for <paramref name="connections"/> connections.</summary>
    /// <param name="connections">Connections (identities) in the ring.</param>
    /// <param name="messageSize">Plaintext bytes of every message.</param>
    /// <param name="algorithm">E2E AEAD algorithm.</param>
    /// <param name="backend">AEAD backend.</param>
    /// <param name="padding">Padding scheme of every plaintext (none by default).</param>
    /// <param name="sealedSender">Wrap every envelope in a sealed-sender layer.</param>
    public E2eRing(int connections, int messageSize, AeadAlgorithm algorithm, AeadBackend backend, PaddingScheme? padding = null, bool sealedSender = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, 1);
        var options = new E2eSessionOptions { Algorithm = algorithm, Backend = backend, Padding = padding ?? PaddingScheme.None };
        _identities = new X25519KeyPair[connections];
        _senders = new E2eSession[connections];
        _receivers = new E2eSession[connections];
        _payloads = new byte[connections][];
        _envelopes = new byte[connections][];
        _opened = new byte[connections][];
        for (var i = 0; i < connections; i++)
        {
            _identities[i] = X25519KeyPair.Generate();
        }

        for (var i = 0; i < connections; i++)
        {
            var recipient = (i + 1) % connections;
            _senders[i] = E2eSession.Initiate(_identities[i], _identities[recipient].PublicKey, options);
            _receivers[recipient] = E2eSessionSetup.Establish(_senders[i], _identities[recipient], options);
            _payloads[i] = new byte[messageSize];
            new Random(i).NextBytes(_payloads[i]);
            _envelopes[i] = new byte[_senders[i].GetEnvelopeSize(messageSize)];
            _opened[i] = new byte[_envelopes[i].Length];
        }

        _sealed = sealedSender ? new SealedRing(_identities, _envelopes[0].Length, algorithm, backend) : null;
    }

    /// <summary>Whether envelopes are wrapped in the sealed-sender layer.</summary>
    public bool SealedSender => _sealed is not null;

    /// <summary>Number of connections.</summary>
    public int Count => _identities.Length;

    /// <summary>The envelope size of every measured message (the sealed size with sealed sender).</summary>
    public int EnvelopeSize => _sealed is null ? _envelopes[0].Length : SealedSenderEnvelope.SealedSize(_envelopes[0].Length);

    /// <summary>The delivery token contacts present to reach connection <paramref name="index"/> (sealed sender).</summary>
    public DeliveryToken TokenOf(int index) => Sealed().Tokens[index];

    /// <summary>The verifier connection <paramref name="index"/> registers with the relay (sealed sender).</summary>
    public byte[] VerifierOf(int index) => Sealed().Verifiers[index];

    /// <summary>Gives connection <paramref name="index"/> the certificate the relay issued it and the relay's signing key (sealed sender).</summary>
    public void UseCertificate(int index, byte[] certificate, Ed25519PublicKey relaySigningKey)
    {
        var ring = Sealed();
        ring.Certificates[index] = certificate;
        ring.Openers[index]?.Dispose();
        ring.Openers[index] = new SealedSenderOpener(_identities[index], relaySigningKey, _senders[index].Algorithm, ring.Backend);
    }

    /// <summary>Identity public key of connection <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Identity(int index) => _identities[index].PublicKey;

    /// <summary>The key pair of connection <paramref name="index"/> (its transport identity too).</summary>
    public X25519KeyPair KeyPair(int index) => _identities[index];

    /// <summary>Which connection <paramref name="index"/> sends to.</summary>
    public int RecipientOf(int index) => (index + 1) % _identities.Length;

    /// <summary>
    /// Builds connection <paramref name="index"/>'s next message and seals it; the returned span
    /// (the envelope) is valid until the next seal on that connection. Records the seal time.
    /// </summary>
    public ReadOnlySpan<byte> Seal(int index, long sequence, long intendedTicks, bool measured, LoadTargetContext context)
    {
        var payload = _payloads[index];
        LoadPayload.Write(payload, sequence, intendedTicks);
        var start = Stopwatch.GetTimestamp();
        var written = _senders[index].Seal(payload, _envelopes[index]);
        var envelope = _envelopes[index].AsSpan(0, written);
        if (_sealed is { } ring)
        {
            written = ring.Sealer.Seal(Identity(RecipientOf(index)), ring.Certificates[index] ?? throw new InvalidOperationException($"connection {index} has no sender certificate"), envelope, ring.Outputs[index]);
            envelope = ring.Outputs[index].AsSpan(0, written);
        }

        context.Sealed(start, Stopwatch.GetTimestamp(), measured);

        return envelope;
    }

    /// <summary>Opens an envelope that arrived at connection <paramref name="index"/> (at <paramref name="receivedTicks"/>) and reports it.</summary>
    public void OpenAndReport(int index, ReadOnlySpan<byte> envelope, long receivedTicks, LoadTargetContext context)
    {
        if (OpenAndReport(index, envelope, receivedTicks, context, out _) == E2eError.Replay)
        {
            context.Error(ReasonOf(E2eError.Replay));
        }
    }

    /// <summary>
    /// Opens and reports as <see cref="OpenAndReport(int, ReadOnlySpan{byte}, long, LoadTargetContext)"/>;
    /// returns how the open went (<see cref="E2eError.Replay"/>: a copy of a message already opened,
    /// which is not reported; an envelope that fails otherwise is reported as an error) and, when it
    /// opened, the message's <paramref name="sequence"/> (else -1).
    /// </summary>
    public E2eError OpenAndReport(int index, ReadOnlySpan<byte> envelope, long receivedTicks, LoadTargetContext context, out long sequence)
    {
        ArgumentNullException.ThrowIfNull(context);
        sequence = -1;
        int written;
        if (_sealed is { } ring)
        {
            // Outer layer and certificate first; the certified sender must be the session's.
            var opener = ring.Openers[index] ?? throw new InvalidOperationException($"connection {index} has no relay signing key");
            if (opener.TryUnseal(envelope, DateTimeOffset.UtcNow, out var contents) != SealedSenderError.None
                || SealedSenderOpener.OpenInner(_receivers[index], contents.Sender, contents.Envelope, _opened[index], out written, out _) != SealedSenderError.None)
            {
                context.Error("sealed_sender");
                return E2eError.AuthenticationFailed;
            }
        }
        else if (_receivers[index].TryOpen(envelope, _opened[index], out written) is var error && error != E2eError.None)
        {
            if (error != E2eError.Replay)
            {
                context.Error(ReasonOf(error));
            }

            return error;
        }

        var opened = Stopwatch.GetTimestamp();
        var plaintext = _opened[index].AsSpan(0, written);
        if (!LoadPayload.TryRead(plaintext, out sequence, out _))
        {
            sequence = -1;
        }

        context.Delivered(plaintext, receivedTicks, opened);
        return E2eError.None;
    }

    // The E2E refusal as an error reason: too_far_ahead (past the skipped-key window), authentication_failed, ...
    private static string ReasonOf(E2eError error) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(error.ToString());

    /// <summary>Wipes every session and key.</summary>
    public void Dispose()
    {
        foreach (var session in _senders)
        {
            session?.Dispose();
        }

        foreach (var session in _receivers)
        {
            session?.Dispose();
        }

        foreach (var identity in _identities)
        {
            identity?.Dispose();
        }

        _sealed?.Dispose();
    }

    private SealedRing Sealed() => _sealed ?? throw new InvalidOperationException("this ring does not use sealed sender");

    // Per connection: the delivery token its contacts use, the verifier it registers, its
    // certificate, an opener (its receive loop's) and an output buffer; one sealer (the scheduling thread's).
    private sealed class SealedRing : IDisposable
    {
        public SealedRing(X25519KeyPair[] identities, int envelopeSize, AeadAlgorithm algorithm, AeadBackend backend)
        {
            var connections = identities.Length;
            Backend = backend;
            Sealer = new SealedSenderEnvelope(algorithm, backend);
            Tokens = new DeliveryToken[connections];
            Verifiers = new byte[connections][];
            Certificates = new byte[connections][];
            Openers = new SealedSenderOpener[connections];
            Outputs = new byte[connections][];
            Span<byte> token = stackalloc byte[DeliveryTokens.TokenSize];
            for (var i = 0; i < connections; i++)
            {
                // Each identity's secret would be shared with its contacts; here the ring holds them all.
                DeliveryTokens.DeriveToken(DeliveryTokens.NewSecret(), identities[i].PublicKey, token);
                Tokens[i] = new DeliveryToken(token);
                Verifiers[i] = new byte[DeliveryTokens.VerifierSize];
                DeliveryTokens.ComputeVerifier(token, Verifiers[i]);
                Outputs[i] = new byte[SealedSenderEnvelope.SealedSize(envelopeSize)];
            }
        }

        public AeadBackend Backend { get; }

        public SealedSenderEnvelope Sealer { get; }

        public DeliveryToken[] Tokens { get; }

        public byte[][] Verifiers { get; }

        public byte[]?[] Certificates { get; }

        public SealedSenderOpener?[] Openers { get; }

        public byte[][] Outputs { get; }

        public void Dispose()
        {
            Sealer.Dispose();
            foreach (var opener in Openers)
            {
                opener?.Dispose();
            }
        }
    }
}
