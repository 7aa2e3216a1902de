using Relay.Crypto.Noise;
using Relay.Crypto.Noise.Framing;
using Relay.Protocol.Routing;
using Relay.Server.Connections;
using Relay.Server.Metrics;
using Relay.Server.Sealed;

namespace Relay.Server;

/// <summary>What every connection shares: options, the router, the metrics, the supervisor, the sealed-sender state, the Noise options.</summary>
internal sealed class RelayState
{
    public RelayState(RelayOptions options, RelayRouter router, RelayMetrics metrics)
    {
        Options = options;
        Router = router;
        Metrics = metrics;
        Supervisor = new ConnectionSupervisor(options, router, metrics);
        Metadata = new RelayMetadata(options);
        NoiseOptions = new()
        {
            Protocol = NoiseProtocol.Xx(options.Cipher),
            Backend = options.Backend,
            StaticKey = options.StaticKey,
            HandshakeTimeout = options.HandshakeTimeout,
        };
    }

    public RelayOptions Options { get; }

    public RelayRouter Router { get; }

    public RelayMetrics Metrics { get; }

    public ConnectionSupervisor Supervisor { get; }

    /// <summary>Sealed sender: certificates, delivery tokens, anonymous connections, the audit log.</summary>
    public RelayMetadata Metadata { get; }

    public NoiseChannelOptions NoiseOptions { get; }

    /// <summary>Open connections of both listeners, counted before any handshake (for <see cref="RelayOptions.MaxConnections"/>).</summary>
    public int OpenConnections;
}
