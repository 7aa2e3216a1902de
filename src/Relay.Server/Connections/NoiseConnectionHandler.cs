using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Relay.Crypto.Noise;
using Relay.Crypto.Noise.Framing;
using Relay.Protocol.Frames;
using Relay.Protocol.Transports;
using Relay.Server.Limits;
using Relay.Server.Logging;
using Relay.Server.Sealed;

namespace Relay.Server.Connections;

/// <summary>
/// Kestrel's handler for the TCP endpoint: the Noise XX responder (prologue <c>relay/1</c>),
/// whose proven static key becomes the connection's identity, then a <see cref="RelayConnection"/>.
/// A failed handshake (garbage, a bad tag, silence past the handshake timeout) closes only this
/// connection, counted and logged once by the close log. An anonymous connection past its source's
/// cap is told ERROR <c>SourceLimit</c> and closed.
/// </summary>
internal sealed class NoiseConnectionHandler(RelayState state, ILogger<NoiseConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        // Set by ConnectionAdmission in front of this handler; absent only if someone wires the handler without it.
        var ticket = connection.Features.Get<HandshakeTicket>();
        var peer = new PeerInfo(connection.ConnectionId, ticket?.Source ?? state.Sources.SourceOf((connection.RemoteEndPoint as IPEndPoint)?.Address));
        NoiseChannel channel;
        try
        {
            // Not ConnectionClosed: it fires on the same end of stream that completes the input, and
            // the race made a peer's close count as truncated or abandoned by chance. A close, a reset
            // or Abort (the busy timeout) all end the handshake's read on their own.
            channel = await NoiseChannel.AcceptAsync(connection.Transport, state.NoiseOptions, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NoiseException or IOException or OperationCanceledException or ConnectionAbortedException)
        {
            // The busy relay's timeout aborts the connection, which the handshake sees as a close.
            var reason = ticket?.TimedOut == true ? CloseReason.HandshakeTimeout
                : ex is NoiseException noise ? CloseReasons.OfHandshake(noise.Error)
                : CloseReason.HandshakeAbandoned;
            state.CloseLog.Closed(reason, peer.ConnectionId, peer.Source);
            return;
        }

        await using (channel.ConfigureAwait(false))
        {
            var identity = new Identity(channel.RemoteStaticKey);
            var transport = new NoiseFrameTransport(channel, connection.Transport);
            var anonymous = AnonymousConnection.IsDeclared(channel.RemoteHandshakePayload.Span);
            if (ticket?.Finish(anonymous) == false)
            {
                state.CloseLog.Closed(CloseReason.AnonymousLimit, peer.ConnectionId, peer.Source);
                await RefuseAsync(transport, FrameError.SourceLimit, "too many anonymous connections from this address").ConfigureAwait(false);
                return;
            }

            var metadata = state.Metadata.Connect(anonymous);
            await new RelayConnection(identity, transport, state, logger, metadata, peer).RunAsync().ConfigureAwait(false);
        }
    }

    // ERROR and a close, for a connection refused after its handshake (the only way to tell it why).
    private static async Task RefuseAsync(NoiseFrameTransport transport, FrameError error, string reason)
    {
        var frame = new ArrayBufferWriter<byte>(64);
        FrameCodec.WriteError(frame, error, reason);
        transport.Write(frame.WrittenSpan);
        try
        {
            await transport.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await transport.CloseAsync(error, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ConnectionAbortedException)
        {
            // Gone already.
        }
    }
}
