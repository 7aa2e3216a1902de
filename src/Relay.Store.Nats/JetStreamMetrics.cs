using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Relay.Store.Nats;

/// <summary>
/// The JetStream store's own meter, <c>Relay.Store.Nats</c> (exported at <c>/metrics</c> beside
/// <c>Relay.Server</c>): publish latency (SEND handed over until JetStream acknowledged it),
/// publishes and removals awaiting JetStream's answer, live recipients, SENDs refused because
/// JetStream was unavailable, failed removals, reads of held messages and the gaps that caused some.
/// </summary>
public sealed class JetStreamMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Relay.Store.Nats";

    // Microseconds, 10 µs to 1 s (the relay's own latency histogram uses the same bounds).
    private static readonly IReadOnlyList<double> Buckets = [10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000];
    private readonly Meter _meter = new(MeterName);
    private readonly Func<int> _watches;
    private long _pendingPublishes;
    private long _pendingRemovals;
    private long _removed;
    private long _reads;
    private long _gaps;

    internal JetStreamMetrics(Func<int> watches)
    {
        _watches = watches;
        PublishLatency = _meter.CreateHistogram("relay.store.publish.latency", unit: "us", description: "A SEND's publish until JetStream acknowledged the write.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
        Unavailable = _meter.CreateCounter<long>("relay.store.unavailable", description: "SENDs REJECTED StoreUnavailable: NATS down, or no acknowledgement in time.");
        DeleteFailures = _meter.CreateCounter<long>("relay.store.delete.failures", description: "ACKed messages JetStream did not remove (they come again on a later connection).");
        _meter.CreateObservableGauge("relay.store.pending_acks", () => Interlocked.Read(ref _pendingPublishes), description: "Publishes awaiting JetStream's acknowledgement.");
        _meter.CreateObservableGauge("relay.store.pending_deletes", () => Interlocked.Read(ref _pendingRemovals), description: "ACKed messages whose removal (a purge or a delete) awaits JetStream's answer.");
        _meter.CreateObservableGauge("relay.store.watches", watches, description: "Recipients with a live connection on this node (one NATS subscription each).");
        _meter.CreateObservableCounter("relay.store.reads", () => Interlocked.Read(ref _reads), description: "Reads of a recipient's held messages from the stream: on connect, after a gap, after NATS came back or a new stream leader.");
        _meter.CreateObservableCounter("relay.store.gaps", () => Interlocked.Read(ref _gaps), description: "Reads caused by a gap in a recipient's republished sequence chain.");
    }

    /// <summary>Publish latency in microseconds.</summary>
    public Histogram<double> PublishLatency { get; }

    /// <summary>SENDs refused as StoreUnavailable.</summary>
    public Counter<long> Unavailable { get; }

    /// <summary>ACKed messages whose removal failed.</summary>
    public Counter<long> DeleteFailures { get; }

    /// <summary>Recipients with a live connection on this node now (one NATS subscription each).</summary>
    public int Watches => _watches();

    /// <summary>Publishes awaiting acknowledgement now.</summary>
    public long PendingPublishes => Interlocked.Read(ref _pendingPublishes);

    /// <summary>ACKed messages whose removal awaits JetStream's answer now.</summary>
    public long PendingRemovals => Interlocked.Read(ref _pendingRemovals);

    /// <summary>ACKed messages JetStream confirmed removed so far (by purge or delete).</summary>
    public long Removed => Interlocked.Read(ref _removed);

    /// <summary>Reads of held messages started so far.</summary>
    public long ReadsStarted => Interlocked.Read(ref _reads);

    /// <summary>Reads started because of a gap so far.</summary>
    public long GapsRead => Interlocked.Read(ref _gaps);

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

    internal void RemovalStarted(int messages) => Interlocked.Add(ref _pendingRemovals, messages);

    internal void RemovalEnded(int messages, bool removed)
    {
        Interlocked.Add(ref _pendingRemovals, -messages);
        if (removed)
        {
            Interlocked.Add(ref _removed, messages);
        }
    }

    internal void ReadStarted() => Interlocked.Increment(ref _reads);

    internal void GapFound() => Interlocked.Increment(ref _gaps);

    /// <summary>Disposes the meter.</summary>
    public void Dispose() => _meter.Dispose();
}
