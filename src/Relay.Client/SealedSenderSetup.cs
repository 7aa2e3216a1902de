using Relay.Crypto.Sealed;
using Relay.Crypto.Signatures;
using Relay.Protocol.Frames;

namespace Relay.Client;

/// <summary>
/// Sealed-sender setup on a raw authenticated connection, before its read loop starts (load tools):
/// registers the verifier of the identity's delivery token, takes a sender certificate, and waits
/// for both answers. The relay's signing key arrives with the certificate over that connection,
/// which pinned the relay's static key (Noise) or trusts the gateway (WebSocket).
/// </summary>
public static class SealedSenderSetup
{
    /// <summary>The request id the setup frames use.</summary>
    public const ulong SetupId = ulong.MaxValue;

    /// <summary>Registers <paramref name="verifier"/> and returns the certificate and the relay's signing key.</summary>
    /// <exception cref="RelayClientException">The relay refused, closed, sent a certificate that does not verify, or did not answer within 10 s.</exception>
    public static async Task<(byte[] Certificate, Ed25519PublicKey RelaySigningKey)> EnableAsync(RelayClientConnection client, ReadOnlyMemory<byte> verifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.SetDeliveryVerifier(SetupId, verifier.Span);
        client.RequestCertificate(SetupId);
        await client.FlushAsync(cancellationToken).ConfigureAwait(false);
        var registered = false;
        (byte[] Certificate, Ed25519PublicKey Key)? certified = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            while (!registered || certified is null)
            {
                var frame = await client.ReadAsync(timeout.Token).ConfigureAwait(false)
                    ?? throw new RelayClientException("the relay closed the connection during sealed-sender setup");
                switch (frame.Type)
                {
                    case FrameType.Accepted when frame.ClientMessageId == SetupId:
                        registered = true;
                        break;
                    case FrameType.Rejected when frame.ClientMessageId == SetupId:
                        throw new RelayClientException($"the relay refused sealed-sender setup ({(RejectReason)frame.Code})");
                    case FrameType.Certificate when frame.ClientMessageId == SetupId:
                        var certificate = System.Buffers.BuffersExtensions.ToArray(frame.Envelope);
                        var key = SenderCertificate.ImportSigningKey(frame.Identity.ToArray());
                        if (SenderCertificate.Verify(certificate, key, DateTimeOffset.UtcNow) != SealedSenderError.None)
                        {
                            throw new RelayClientException("the relay's certificate does not verify under the key it came with");
                        }

                        certified = (certificate, key);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RelayClientException("the relay did not answer sealed-sender setup within 10 s: does it support sealed sender?");
        }

        return certified.Value;
    }
}
