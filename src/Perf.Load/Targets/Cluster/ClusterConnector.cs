using System.Net;
using System.Net.Sockets;
using Perf.Load.Net;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Perf.Load.Targets.Cluster;

/// <summary>
/// Opens one client connection to one node of a cluster over its transport: Noise/TCP on the
/// generator's own sockets (<see cref="DirectSockets"/>: no thread-pool hop per arrival, the
/// scheduling thread reads while it waits, as relay-tcp's clients do), or the node's WebSocket
/// gateway with a token minted for the identity. A connection is an identity's, or anonymous (a
/// sealed-sender sender's: a throwaway Noise key, or the gateway without credentials).
/// </summary>
internal sealed class ClusterConnector(ClusterNodes nodes, RelayClientOptions options, DirectSockets? direct)
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(48);

    /// <summary>The nodes.</summary>
    public ClusterNodes Nodes => nodes;

    /// <summary>
    /// Connects as <paramref name="identity"/> (or anonymously, when <c>null</c>) to node
    /// <paramref name="node"/>; <c>null</c> when that node is known to be down.
    /// </summary>
    /// <exception cref="RelayClientException">Refused, unreachable, or the handshake failed.</exception>
    public async Task<RelayClientConnection?> ConnectAsync(int node, X25519KeyPair? identity, CancellationToken cancellationToken)
    {
        if (nodes.EndPointOf(node) is not { } endPoint)
        {
            return null;
        }

        if (nodes.Transport == ClusterTransport.WebSocket)
        {
            var token = identity is null ? null : RelayToken.Mint(new Identity(identity.PublicKey), DateTimeOffset.UtcNow + TokenLifetime, nodes.WebSocketSecret);
            return await RelayClientConnection.ConnectWebSocketAsync(new Uri($"ws://{endPoint}/ws"), token, options, cancellationToken).ConfigureAwait(false);
        }

        if (direct is null)
        {
            return identity is null
                ? await RelayClientConnection.ConnectAnonymousTcpAsync(endPoint, options, cancellationToken).ConfigureAwait(false)
                : await RelayClientConnection.ConnectTcpAsync(endPoint, identity, options, cancellationToken).ConfigureAwait(false);
        }

        return await DirectConnectAsync(endPoint, identity, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RelayClientConnection> DirectConnectAsync(IPEndPoint endPoint, X25519KeyPair? identity, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = await DirectSockets.ConnectAsync(endPoint, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            throw new RelayClientException($"cannot connect to the relay at {endPoint}: {ex.Message}", ex);
        }

        DirectPipe pipe;
        try
        {
            pipe = new DirectPipe(direct!, socket);
        }
        catch (InvalidOperationException ex)
        {
            // The set is full: more sockets than it was sized for (each reconnect frees the old one's slot).
            socket.Dispose();
            throw new RelayClientException($"no room for another socket: {ex.Message}", ex);
        }

        if (identity is not null)
        {
            return await RelayClientConnection.ConnectNoiseAsync(pipe, pipe, identity, anonymous: false, options, cancellationToken).ConfigureAwait(false);
        }

        using var throwaway = X25519KeyPair.Generate();
        return await RelayClientConnection.ConnectNoiseAsync(pipe, pipe, throwaway, anonymous: true, options, cancellationToken).ConfigureAwait(false);
    }
}
