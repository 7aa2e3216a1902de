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

    // Microseconds, 10 µs to 1 s (the relay's own latency histogram uses the same bounds).
    private static readonly IReadOnlyList<double> Buckets = [10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000];
    private readonly Meter _meter = new(MeterName);
    private long _pendingPublishes;
    private long _pendingDeletes;

    internal JetStreamMetrics(Func<int> watches)
    {
        PublishLatency = _meter.CreateHistogram("relay.store.publish.latency", unit: "us", description: "A SEND's publish until JetStream acknowledged the write.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
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
