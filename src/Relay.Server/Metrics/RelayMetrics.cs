using System.Diagnostics;
using System.Diagnostics.Metrics;
using Relay.Protocol.Frames;
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
        ConnectionsRefused = _meter.CreateCounter<long>("relay.connections.refused", description: "Connections refused by a limit, by reason: connection_limit, handshake_rate (before any byte was read), anonymous_limit.");
        HandshakesStarted = _meter.CreateCounter<long>("relay.handshakes.started", description: "Connections admitted to the Noise handshake or WebSocket upgrade (the only ones that can cost Diffie-Hellman work).");
        HandshakesFailed = _meter.CreateCounter<long>("relay.handshakes.failed", description: "Noise handshakes and WebSocket upgrades that failed, timed out or were abandoned, by reason.");
        BadInput = _meter.CreateCounter<long>("relay.connections.bad_input", description: "Connections closed for a bad frame or transport message after the handshake, by reason.");
        IdleClosed = _meter.CreateCounter<long>("relay.connections.idle_closed", description: "Authenticated connections closed after the idle timeout.");
        Expired = _meter.CreateCounter<long>("relay.messages.expired", description: "Held messages dropped at their age limit without an ACK.");
        _meter.CreateObservableGauge("relay.mailbox.depth", () => router.Held, description: "Messages held, awaiting ACK, across all mailboxes.");
        _meter.CreateObservableGauge("relay.mailboxes", () => router.Mailboxes, description: "Mailboxes kept in memory on this node.");
    }

    /// <summary>Open connections.</summary>
    public UpDownCounter<long> Connections { get; }

    /// <summary>Connections refused by a limit, tagged <c>reason</c>.</summary>
    public Counter<long> ConnectionsRefused { get; }

    /// <summary>Handshakes admitted past the per-source limits.</summary>
    public Counter<long> HandshakesStarted { get; }

    /// <summary>Failed Noise handshakes and WebSocket upgrades (including timeouts), tagged <c>reason</c>.</summary>
    public Counter<long> HandshakesFailed { get; }

    /// <summary>Connections closed for bad input after the handshake, tagged <c>reason</c>.</summary>
    public Counter<long> BadInput { get; }

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

    /// <summary>Messages rejected, tagged <c>reason</c> (<see cref="RejectTag"/>).</summary>
    public Counter<long> Rejected { get; }

    /// <summary>Forwarding latency in microseconds.</summary>
    public Histogram<double> ForwardingLatency { get; }

    /// <summary>The <c>reason</c> tag of a REJECTED answer (<c>rate_limited</c>, <c>mailbox_full</c>, ...).</summary>
    public static KeyValuePair<string, object?> RejectTag(RejectReason reason) => new("reason", reason switch
    {
        RejectReason.MailboxFull => "mailbox_full",
        RejectReason.RecipientInvalid => "recipient_invalid",
        RejectReason.EnvelopeTooLarge => "envelope_too_large",
        RejectReason.RateLimited => "rate_limited",
        RejectReason.ShuttingDown => "shutting_down",
        RejectReason.DeliveryTokenInvalid => "delivery_token_invalid",
        RejectReason.AuthenticationRequired => "authentication_required",
        RejectReason.StoreUnavailable => "store_unavailable",
        RejectReason.EnvelopeTooShort => "envelope_too_short",
        RejectReason.MailboxExpired => "mailbox_expired",
        RejectReason.AnonymousRequired => "anonymous_required",
        _ => "other",
    });

    /// <summary>Gauges of the per-source limits: handshakes unfinished across all sources, and sources remembered.</summary>
    internal void Observe(Limits.SourceLimits sources)
    {
        _meter.CreateObservableGauge("relay.handshakes.unfinished", () => sources.Unfinished, description: "Handshakes admitted and not yet finished; at the busy threshold the relay counts every handshake against its source and shortens the handshake timeout.");
        _meter.CreateObservableGauge("relay.sources", () => sources.Sources, description: "Source addresses (or IPv6 prefixes) the per-source limits remember.");
    }

    /// <summary>Records the forwarding latency of a message accepted at <paramref name="acceptedTimestamp"/>.</summary>
    public void RecordForwarded(long acceptedTimestamp) =>
        ForwardingLatency.Record(Stopwatch.GetElapsedTime(acceptedTimestamp).TotalMicroseconds);

    /// <summary>Disposes the meter.</summary>
    public void Dispose() => _meter.Dispose();
}
