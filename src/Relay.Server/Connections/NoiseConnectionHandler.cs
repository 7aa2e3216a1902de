using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Relay.Crypto.Noise;
using Relay.Crypto.Noise.Framing;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;
using Relay.Server.Metrics;
using Relay.Server.Sealed;
using Relay.Protocol.Transports;

namespace Relay.Server.Connections;

/// <summary>
/// Kestrel's handler for the TCP endpoint: the Noise XX responder (prologue <c>relay/1</c>),
/// whose proven static key becomes the connection's identity, then a <see cref="RelayConnection"/>.
/// A failed handshake (garbage, a bad tag, silence) closes only this connection, logged in one line.
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
            logger.LogInformation("handshake refused from {Remote}: {Error} ({Reason})", connection.RemoteEndPoint, ex.Error, ex.Message);
            return;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            logger.LogInformation("handshake abandoned by {Remote}: {Reason}", connection.RemoteEndPoint, ex.Message);
            return;
        }

        await using (channel.ConfigureAwait(false))
        {
            var identity = new Identity(channel.RemoteStaticKey);
            var transport = new NoiseFrameTransport(channel, connection.Transport.Output);
            var metadata = state.Metadata.Connect(anonymous: AnonymousConnection.IsDeclared(channel.RemoteHandshakePayload.Span));
            var relayConnection = new RelayConnection(identity, transport, state.Router, state.Metrics, state.Options.Frames, logger, metadata);
            await relayConnection.RunAsync(connection.ConnectionClosed).ConfigureAwait(false);
        }
    }
}

/// <summary>What every connection shares: options, the router, the metrics, the Noise options.</summary>
internal sealed class RelayState(RelayOptions options, RelayRouter router, RelayMetrics metrics)
{
    public RelayOptions Options { get; } = options;

    public RelayRouter Router { get; } = router;

    public RelayMetrics Metrics { get; } = metrics;

    public RelayMetadata Metadata { get; } = new(options);

    public NoiseChannelOptions NoiseOptions { get; } = new()
    {
        Protocol = NoiseProtocol.Xx(options.Cipher),
        Backend = options.Backend,
        StaticKey = options.StaticKey,
        HandshakeTimeout = options.HandshakeTimeout,
    };
}
