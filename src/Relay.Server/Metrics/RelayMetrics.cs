using System.Diagnostics;
using System.Diagnostics.Metrics;
using Relay.Protocol.Routing;

namespace Relay.Server.Metrics;

/// <summary>
/// The relay's <c>System.Diagnostics.Metrics</c> meter, <c>Relay.Server</c> (readable with
/// dotnet-counters): connections, frames and bytes in and out, messages accepted, delivered and
/// rejected, mailbox depth, and forwarding latency (SEND decoded to DELIVER flushed).
/// </summary>
public sealed class RelayMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Relay.Server";

    private readonly Meter _meter;

    /// <summary>Bucket bounds for latencies in microseconds (10 µs to 1 s), for histograms exported to Prometheus.</summary>
    public static readonly IReadOnlyList<double> MicrosecondBuckets = [10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000];

    /// <summary>Creates the meter's instruments; mailbox depth is read from <paramref name="router"/>.</summary>
    public RelayMetrics(RelayRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        _meter = new Meter(MeterName);
        Connections = _meter.CreateUpDownCounter<long>("relay.connections", description: "Open client connections (TCP and WebSocket).");
        FramesIn = _meter.CreateCounter<long>("relay.frames.in");
        FramesOut = _meter.CreateCounter<long>("relay.frames.out");
        BytesIn = _meter.CreateCounter<long>("relay.bytes.in", unit: "By");
        BytesOut = _meter.CreateCounter<long>("relay.bytes.out", unit: "By");
        Accepted = _meter.CreateCounter<long>("relay.messages.accepted");
        Delivered = _meter.CreateCounter<long>("relay.messages.delivered");
        Rejected = _meter.CreateCounter<long>("relay.messages.rejected");
        ForwardingLatency = _meter.CreateHistogram("relay.forwarding.latency", unit: "us", description: "SEND decoded until its DELIVER was flushed to the recipient.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = MicrosecondBuckets });
        ConnectionsRefused = _meter.CreateCounter<long>("relay.connections.refused", description: "Connections closed at once because the relay was at its connection limit.");
        HandshakesFailed = _meter.CreateCounter<long>("relay.handshakes.failed", description: "Noise handshakes refused, abandoned or timed out.");
        IdleClosed = _meter.CreateCounter<long>("relay.connections.idle_closed", description: "Authenticated connections closed after the idle timeout.");
        Expired = _meter.CreateCounter<long>("relay.messages.expired", description: "Held messages dropped at their age limit without an ACK.");
        _meter.CreateObservableGauge("relay.mailbox.depth", () => router.Held, description: "Messages held, awaiting ACK, across all mailboxes.");
        _meter.CreateObservableGauge("relay.mailboxes", () => router.Mailboxes, description: "Mailboxes kept in memory on this node.");
    }

    /// <summary>Open connections.</summary>
    public UpDownCounter<long> Connections { get; }

    /// <summary>Connections refused at the connection limit.</summary>
    public Counter<long> ConnectionsRefused { get; }

    /// <summary>Failed Noise handshakes (including timeouts).</summary>
    public Counter<long> HandshakesFailed { get; }

    /// <summary>Connections closed for idleness.</summary>
    public Counter<long> IdleClosed { get; }

    /// <summary>Messages expired at their age limit.</summary>
    public Counter<long> Expired { get; }

    /// <summary>Frames received.</summary>
    public Counter<long> FramesIn { get; }

    /// <summary>Frames sent.</summary>
    public Counter<long> FramesOut { get; }

    /// <summary>Frame bytes received.</summary>
    public Counter<long> BytesIn { get; }

    /// <summary>Frame bytes sent.</summary>
    public Counter<long> BytesOut { get; }

    /// <summary>Messages accepted.</summary>
    public Counter<long> Accepted { get; }

    /// <summary>DELIVER frames flushed.</summary>
    public Counter<long> Delivered { get; }

    /// <summary>Messages rejected.</summary>
    public Counter<long> Rejected { get; }

    /// <summary>Forwarding latency in microseconds.</summary>
    public Histogram<double> ForwardingLatency { get; }

    /// <summary>Records the forwarding latency of a message accepted at <paramref name="acceptedTimestamp"/>.</summary>
    public void RecordForwarded(long acceptedTimestamp) =>
        ForwardingLatency.Record(Stopwatch.GetElapsedTime(acceptedTimestamp).TotalMicroseconds);

    /// <summary>Disposes the meter.</summary>
    public void Dispose() => _meter.Dispose();
}
