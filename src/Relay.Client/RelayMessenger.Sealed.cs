using System.Collections.Concurrent;
using Relay.Crypto.E2e;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Relay.Client;

/// <summary>Sealed sender for <see cref="RelayMessenger"/>: certificates, the anonymous connection, sealing and opening.</summary>
public sealed partial class RelayMessenger
{
    // A certificate is renewed when less than this much of its life is left.
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private readonly Func<CancellationToken, Task<RelayClientConnection>>? _connectAnonymous;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<(byte[] SigningKey, byte[] Certificate)>> _certificateRequests = new();
    private readonly ConcurrentQueue<SealedSenderError> _sealedRefusals = new();
    private readonly SemaphoreSlim _anonymousLock = new(1, 1);
    private byte[]? _certificate;
    private DateTimeOffset _certificateExpiry;
    private byte[]? _signingKey;
    private SealedSenderOpener? _opener;
    private SealedSenderEnvelope? _sealer;
    private byte[]? _verifier;
    private RelayClientConnection? _anonymous;
    private Task? _anonymousReader;

    /// <summary>The relay's Ed25519 certificate key, once a certificate arrived over the authenticated (pinned) connection.</summary>
    public ReadOnlyMemory<byte> RelaySigningKey => _signingKey;

    /// <summary>Sealed deliveries this messenger refused, and why (in arrival order).</summary>
    public IReadOnlyCollection<SealedSenderError> SealedRefusals => _sealedRefusals;

    /// <summary>
    /// Prepares this identity for sealed sender: registers the verifier of the delivery token
    /// derived from <paramref name="deliverySecret"/> (the secret its contacts hold) and fetches a
    /// sender certificate, which also brings the relay's signing key. <see cref="ReceiveAllAsync"/>
    /// must be running. Returns the delivery token contacts present (derivable by them from the secret).
    /// </summary>
    /// <exception cref="RelayClientException">The relay refused the verifier.</exception>
    public async Task<DeliveryToken> EnableSealedSenderAsync(ReadOnlyMemory<byte> deliverySecret, CancellationToken cancellationToken)
    {
        Span<byte> token = stackalloc byte[DeliveryTokens.TokenSize];
        DeliveryTokens.DeriveToken(deliverySecret.Span, _identity.PublicKey, token);
        var verifier = new byte[DeliveryTokens.VerifierSize];
        DeliveryTokens.ComputeVerifier(token, verifier);
        var result = new DeliveryToken(token);
        var answer = await RequestAsync((connection, id) => connection.SetDeliveryVerifier(id, verifier), cancellationToken).ConfigureAwait(false);
        if (!answer.Accepted)
        {
            throw new RelayClientException($"the relay refused the delivery-token verifier: {answer.Reason}");
        }

        _verifier = verifier;

        await GetCertificateAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>The delivery token of <paramref name="recipient"/> from the delivery secret it shared with its contacts.</summary>
    public static DeliveryToken DeliveryTokenFor(Identity recipient, ReadOnlySpan<byte> deliverySecret)
    {
        Span<byte> identity = stackalloc byte[Identity.Size];
        recipient.CopyTo(identity);
        Span<byte> token = stackalloc byte[DeliveryTokens.TokenSize];
        DeliveryTokens.DeriveToken(deliverySecret, identity, token);
        return new DeliveryToken(token);
    }

    /// <summary>
    /// A valid sender certificate for this identity (cached; renewed five minutes before it
    /// expires), asked over the authenticated connection. <see cref="ReceiveAllAsync"/> must be running.
    /// </summary>
    public async Task<byte[]> GetCertificateAsync(CancellationToken cancellationToken)
    {
        if (_certificate is { } cached && _certificateExpiry - DateTimeOffset.UtcNow > RenewBefore)
        {
            return cached;
        }

        var id = (ulong)Interlocked.Increment(ref _nextClientId);
        var answer = new TaskCompletionSource<(byte[], byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        _certificateRequests[id] = answer;
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _connection!.RequestCertificate(id);
            await _connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        var (signingKey, certificate) = await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_signingKey is not null && !_signingKey.AsSpan().SequenceEqual(signingKey))
        {
            throw new RelayClientException("the relay's certificate signing key changed within a session");
        }

        if (SenderCertificate.TryParse(certificate, out var parsed) != SealedSenderError.None || !parsed.Identity.SequenceEqual(_identity.PublicKey))
        {
            throw new RelayClientException("the relay sent a certificate that is not for this identity");
        }

        var key = SenderCertificate.ImportSigningKey(signingKey);
        if (SenderCertificate.Verify(certificate, key, DateTimeOffset.UtcNow) != SealedSenderError.None)
        {
            throw new RelayClientException("the relay sent a certificate its own key does not verify, or one already expired");
        }

        _signingKey ??= signingKey;
        _opener ??= new SealedSenderOpener(_identity, key, _options.Algorithm, _options.Backend);
        _certificateExpiry = parsed.Expiry;
        _certificate = certificate;
        return certificate;
    }

    /// <summary>
    /// Seals <paramref name="plaintext"/> for <paramref name="recipient"/> (E2E, then the sealed-sender
    /// layer with this identity's certificate), sends it over the anonymous connection with the
    /// recipient's delivery token and waits for the relay's answer. The relay learns the recipient,
    /// the time and the size; not the sender.
    /// </summary>
    /// <exception cref="InvalidOperationException">The messenger was made without an anonymous connection factory.</exception>
    /// <exception cref="ArgumentException">The sealed envelope would be over the relay's envelope limit (a plaintext above about 64,700 bytes).</exception>
    public async Task<SendResult> SendSealedAsync(Identity recipient, ReadOnlyMemory<byte> plaintext, DeliveryToken deliveryToken, CancellationToken cancellationToken)
    {
        if (_connectAnonymous is null)
        {
            throw new InvalidOperationException("this messenger was created without connectAnonymous: sealed sending needs an anonymous connection");
        }

        var certificate = await GetCertificateAsync(cancellationToken).ConfigureAwait(false);
        var session = _outgoing.GetOrAdd(recipient, r => E2eSession.Initiate(_identity, r.ToArray(), _options));
        var sealedSize = SealedSenderEnvelope.SealedSize(session.GetEnvelopeSize(plaintext.Length));
        if (sealedSize > FrameLimits.Default.MaxEnvelopeBytes)
        {
            throw new ArgumentException($"a {plaintext.Length}-byte plaintext makes a {sealedSize}-byte sealed envelope, over the relay's {FrameLimits.Default.MaxEnvelopeBytes}-byte limit", nameof(plaintext));
        }

        var clientId = (ulong)Interlocked.Increment(ref _nextClientId);
        var answer = new TaskCompletionSource<SendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[clientId] = answer;
        byte[]? sealedEnvelope = null;
        for (var attempt = 1; ; attempt++)
        {
            var anonymous = await AnonymousAsync(cancellationToken).ConfigureAwait(false);
            await _anonymousLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                sealedEnvelope ??= SealSealed(session, recipient, certificate, plaintext.Span);
                anonymous.SealedSend(clientId, recipient, deliveryToken, sealedEnvelope);
                await anonymous.FlushAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (IsConnectionLost(ex) && (_reconnect.MaxAttempts == 0 || attempt < _reconnect.MaxAttempts))
            {
                Interlocked.CompareExchange(ref _anonymous, null, anonymous);
            }
            finally
            {
                _anonymousLock.Release();
            }

            await Task.Delay(_reconnect.Delay(attempt), cancellationToken).ConfigureAwait(false);
        }

        return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // A verifier lives on the relay for its lifetime after its last registration and only on the
    // node it was sent to: register it again on every new connection (a restart, another node).
    private async Task RegisterVerifierAgainAsync(CancellationToken cancellationToken)
    {
        if (_verifier is not { } verifier)
        {
            return;
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _connection!.SetDeliveryVerifier((ulong)Interlocked.Increment(ref _nextClientId), verifier); // its ACCEPTED completes nothing
            await _connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionLost(ex))
        {
            // The next read sees the drop and reconnects (and registers again).
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private byte[] SealSealed(E2eSession session, Identity recipient, byte[] certificate, ReadOnlySpan<byte> plaintext)
    {
        var inner = Seal(session, plaintext);
        var output = new byte[SealedSenderEnvelope.SealedSize(inner.Length)];
        _sealer ??= new SealedSenderEnvelope(_options.Algorithm, _options.Backend);
        lock (_sealer)
        {
            _sealer.Seal(recipient.ToArray(), certificate, inner, output);
        }

        return output;
    }

    private async Task<RelayClientConnection> AnonymousAsync(CancellationToken cancellationToken)
    {
        if (_anonymous is { } open)
        {
            return open;
        }

        await _anonymousLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_anonymous is null)
            {
                var connection = await _connectAnonymous!(cancellationToken).ConfigureAwait(false);
                _anonymous = connection;
                _anonymousReader = Task.Run(() => ReadAnonymousAsync(connection), CancellationToken.None);
            }

            return _anonymous;
        }
        finally
        {
            _anonymousLock.Release();
        }
    }

    // The anonymous connection carries only answers to sealed sends.
    private async Task ReadAnonymousAsync(RelayClientConnection connection)
    {
        try
        {
            while (await connection.ReadAsync().ConfigureAwait(false) is { } frame)
            {
                switch (frame.Type)
                {
                    case FrameType.Accepted:
                        Complete(frame.ClientMessageId, new SendResult(true, frame.RelayMessageId, null));
                        break;
                    case FrameType.Rejected:
                        Complete(frame.ClientMessageId, new SendResult(false, 0, (RejectReason)frame.Code));
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is RelayClientException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // a malformed frame, or the connection closed under the read (disposal): drop it; the next sealed send opens another
        }

        Interlocked.CompareExchange(ref _anonymous, null, connection);
    }

    private void CompleteCertificate(in RelayFrame frame)
    {
        if (_certificateRequests.TryRemove(frame.ClientMessageId, out var answer))
        {
            answer.TrySetResult((frame.Identity.ToArray(), System.Buffers.BuffersExtensions.ToArray(frame.Envelope)));
        }
    }

    // Outer layer, certificate (signature, expiry), the certified sender bound to the inner
    // session, then the E2E open: only then is the plaintext yielded. A replay is acknowledged
    // (it was opened before) but not yielded; any other refusal is neither, and is noted.
    private ReceivedMessage? OpenSealed(in RelayFrame frame, out bool acknowledge)
    {
        acknowledge = false;
        if (_opener is null)
        {
            Refused(SealedSenderError.CertificateForged); // no relay key yet to check any certificate against
            return null;
        }

        var sealedEnvelope = System.Buffers.BuffersExtensions.ToArray(frame.Envelope);
        var error = _opener.TryUnseal(sealedEnvelope, DateTimeOffset.UtcNow, out var contents);
        if (error != SealedSenderError.None)
        {
            Refused(error);
            return null;
        }

        var sender = new Identity(contents.Sender);
        var envelope = contents.Envelope.ToArray();
        if (E2eEnvelope.TryReadHeader(envelope, out var header) != E2eError.None)
        {
            Refused(SealedSenderError.InnerEnvelopeRefused);
            return null;
        }

        if (header.IsPrekey && !header.InitiatorIdentity.SequenceEqual(contents.Sender))
        {
            Refused(SealedSenderError.CertificateIdentityMismatch);
            return null;
        }

        var session = header.IsPrekey ? FindSession(sender, envelope, header) : SessionById(header.SessionId);
        if (session is null)
        {
            Refused(SealedSenderError.UnknownSession);
            return null;
        }

        var plaintext = new byte[envelope.Length];
        int written;
        lock (session)
        {
            error = SealedSenderOpener.OpenInner(session, contents.Sender, envelope, plaintext, out written, out _);
        }

        acknowledge = error is SealedSenderError.None or SealedSenderError.Replay;
        if (error != SealedSenderError.None)
        {
            Refused(error);
            return null;
        }

        return new ReceivedMessage(sender, plaintext[..written], frame.RelayMessageId, SealedSender: true);
    }

    // By session id, not by the certified sender: a certificate for another identity then meets
    // the session it does not belong to and is refused by name.
    private E2eSession? SessionById(ReadOnlySpan<byte> sessionId)
    {
        foreach (var session in _incoming.Values)
        {
            if (session.SessionId.SequenceEqual(sessionId))
            {
                return session;
            }
        }

        foreach (var session in _outgoing.Values)
        {
            if (session.SessionId.SequenceEqual(sessionId))
            {
                return session;
            }
        }

        return null;
    }

    private void Refused(SealedSenderError error) => _sealedRefusals.Enqueue(error);

    private async Task<SendResult> RequestAsync(Action<RelayClientConnection, ulong> write, CancellationToken cancellationToken)
    {
        var clientId = (ulong)Interlocked.Increment(ref _nextClientId);
        var answer = new TaskCompletionSource<SendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[clientId] = answer;
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            write(_connection!, clientId);
            await _connection!.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask DisposeSealedAsync()
    {
        if (_anonymous is { } anonymous)
        {
            await anonymous.DisposeAsync().ConfigureAwait(false);
        }

        if (_anonymousReader is { } reader)
        {
            await reader.ConfigureAwait(false);
        }

        _opener?.Dispose();
        _sealer?.Dispose();
        _anonymousLock.Dispose();
    }
}
