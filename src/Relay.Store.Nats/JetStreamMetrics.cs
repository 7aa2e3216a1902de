using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Relay.Store.Nats;

/// <summary>
/// The JetStream store's own meter, <c>Relay.Store.Nats</c> (exported at <c>/metrics</c> beside
/// <c>Relay.Server</c>): publish latency (SEND handed over until JetStream acknowledged it),
/// publishes and deletes awaiting JetStream's answer, live recipient watches, SENDs refused
/// because JetStream was unavailable, failed deletes.
/// </summary>
public sealed class JetStreamMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Relay.Store.Nats";

    private readonly Meter _meter = new(MeterName);
    private long _pendingPublishes;
    private long _pendingDeletes;

    internal JetStreamMetrics(Func<int> watches)
    {
        PublishLatency = _meter.CreateHistogram<double>("relay.store.publish.latency", unit: "us", description: "A SEND's publish until JetStream acknowledged the write.");
        Unavailable = _meter.CreateCounter<long>("relay.store.unavailable", description: "SENDs REJECTED StoreUnavailable: NATS down, or no acknowledgement in time.");
        DeleteFailures = _meter.CreateCounter<long>("relay.store.delete.failures", description: "ACKed messages JetStream did not delete (they come again on the next connection).");
        _meter.CreateObservableGauge("relay.store.pending_acks", () => Interlocked.Read(ref _pendingPublishes), description: "Publishes awaiting JetStream's acknowledgement.");
        _meter.CreateObservableGauge("relay.store.pending_deletes", () => Interlocked.Read(ref _pendingDeletes), description: "ACK deletes awaiting JetStream's answer.");
        _meter.CreateObservableGauge("relay.store.watches", watches, description: "Recipients with a live connection on this node (one JetStream consumer each).");
    }

    /// <summary>Publish latency in microseconds.</summary>
    public Histogram<double> PublishLatency { get; }

    /// <summary>SENDs refused as StoreUnavailable.</summary>
    public Counter<long> Unavailable { get; }

    /// <summary>Deletes that failed.</summary>
    public Counter<long> DeleteFailures { get; }

    /// <summary>Publishes awaiting acknowledgement now.</summary>
    public long PendingPublishes => Interlocked.Read(ref _pendingPublishes);

    internal long PublishStarted()
    {
        Interlocked.Increment(ref _pendingPublishes);
        return Stopwatch.GetTimestamp();
    }

    internal void PublishEnded(long started, bool stored)
    {
        Interlocked.Decrement(ref _pendingPublishes);
        if (stored)
        {
            PublishLatency.Record(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }
    }

    internal void DeleteStarted() => Interlocked.Increment(ref _pendingDeletes);

    internal void DeleteEnded() => Interlocked.Decrement(ref _pendingDeletes);

    /// <summary>Disposes the meter.</summary>
    public void Dispose() => _meter.Dispose();
}
