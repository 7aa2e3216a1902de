using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Relay.Crypto.Noise;
using Relay.Crypto.Noise.Framing;
using Relay.Protocol.Frames;
using Relay.Protocol.Transports;
using Relay.Server.Sealed;

namespace Relay.Server.Connections;

/// <summary>
/// Kestrel's handler for the TCP endpoint: the Noise XX responder (prologue <c>relay/1</c>),
/// whose proven static key becomes the connection's identity, then a <see cref="RelayConnection"/>.
/// A failed handshake (garbage, a bad tag, silence past the handshake timeout) closes only this
/// connection, logged in one line.
/// </summary>
internal sealed class NoiseConnectionHandler(RelayState state, ILogger<NoiseConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        using var scope = logger.BeginScope("connection {ConnectionId}", connection.ConnectionId);
        NoiseChannel channel;
        try
        {
            channel = await NoiseChannel.AcceptAsync(connection.Transport, state.NoiseOptions, connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (NoiseException ex)
        {
            state.Metrics.HandshakesFailed.Add(1);
            logger.LogInformation("handshake refused from {Remote}: {Error} ({Reason})", connection.RemoteEndPoint, ex.Error, ex.Message);
            return;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ConnectionAbortedException)
        {
            state.Metrics.HandshakesFailed.Add(1);
            logger.LogInformation("handshake abandoned by {Remote}: {Reason}", connection.RemoteEndPoint, ex.Message);
            return;
        }

        await using (channel.ConfigureAwait(false))
        {
            var identity = new Identity(channel.RemoteStaticKey);
            var transport = new NoiseFrameTransport(channel, connection.Transport);
            var metadata = state.Metadata.Connect(anonymous: AnonymousConnection.IsDeclared(channel.RemoteHandshakePayload.Span));
            await new RelayConnection(identity, transport, state, logger, metadata).RunAsync().ConfigureAwait(false);
        }
    }
}
