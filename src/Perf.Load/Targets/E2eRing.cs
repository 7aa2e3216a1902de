using System.Diagnostics;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;

namespace Perf.Load.Targets;

/// <summary>
/// The E2E side of a load run: one identity per connection, connection i sending to
/// connection (i + 1) mod N. Every session is fully established before the run (first message
/// and reply exchanged in memory), so measured messages carry the short steady-state header,
/// as in a long-running conversation. The sender's session is used only by the scheduling
/// thread and the recipient's only by its connection's receive loop.
/// </summary>
public sealed class E2eRing : IDisposable
{
    private readonly X25519KeyPair[] _identities;
    private readonly E2eSession[] _senders;
    private readonly E2eSession[] _receivers;
    private readonly byte[][] _payloads;
    private readonly byte[][] _envelopes;
    private readonly byte[][] _opened;

    /// <summary>Creates identities and established sessions for <paramref name="connections"/> connections.</summary>
    public E2eRing(int connections, int messageSize, AeadAlgorithm algorithm, AeadBackend backend)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, 1);
        var options = new E2eSessionOptions { Algorithm = algorithm, Backend = backend };
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
    }

    /// <summary>Number of connections.</summary>
    public int Count => _identities.Length;

    /// <summary>The envelope size of every measured message.</summary>
    public int EnvelopeSize => _envelopes[0].Length;

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
        if (measured)
        {
            context.Sealed(start, Stopwatch.GetTimestamp());
        }

        return _envelopes[index].AsSpan(0, written);
    }

    /// <summary>Opens an envelope that arrived at connection <paramref name="index"/> (at <paramref name="receivedTicks"/>) and reports it.</summary>
    public void OpenAndReport(int index, ReadOnlySpan<byte> envelope, long receivedTicks, LoadTargetContext context)
    {
        var error = _receivers[index].TryOpen(envelope, _opened[index], out var written);
        var opened = Stopwatch.GetTimestamp();
        if (error != E2eError.None)
        {
            context.Error();
            return;
        }

        context.Delivered(_opened[index].AsSpan(0, written), receivedTicks, opened);
    }

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
    }
}
