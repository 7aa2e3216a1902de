using Relay.Crypto.Noise;
using Relay.Crypto.Noise.Framing;
using Relay.Protocol.Routing;
using Microsoft.Extensions.Logging;
using Relay.Server.Connections;
using Relay.Server.Limits;
using Relay.Server.Logging;
using Relay.Server.Metrics;
using Relay.Server.Sealed;

namespace Relay.Server;

/// <summary>What every connection shares: options, the router, the metrics, the per-source limits, the close log, the supervisor, the sealed-sender state, the Noise options.</summary>
internal sealed class RelayState
{
    public RelayState(RelayOptions options, RelayRouter router, RelayMetrics metrics)
    {
        Options = options;
        Router = router;
        Metrics = metrics;
        Sources = new SourceLimits(options);
        metrics.Observe(Sources);
        Supervisor = new ConnectionSupervisor(this);
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

    /// <summary>Handshake budgets, unfinished handshakes and anonymous connections per source address.</summary>
    public SourceLimits Sources { get; }

    /// <summary>Counts and logs (rate-limited) every connection refused or closed for bad input; set once the host's loggers exist, before the listeners start.</summary>
    public CloseLog CloseLog { get; private set; } = null!;

    /// <summary>Creates <see cref="CloseLog"/> on the host's loggers.</summary>
    public void StartCloseLog(ILoggerFactory loggers) =>
        CloseLog = new CloseLog(loggers.CreateLogger("Relay.Server.Connections"), Metrics, Options.CloseLogLinesPerSecond);

    /// <summary>Sealed sender: certificates, delivery tokens, anonymous connections, the audit log.</summary>
    public RelayMetadata Metadata { get; }

    public NoiseChannelOptions NoiseOptions { get; }

    /// <summary>Open connections of both listeners, counted before any handshake (for <see cref="RelayOptions.MaxConnections"/>).</summary>
    public int OpenConnections;
}
