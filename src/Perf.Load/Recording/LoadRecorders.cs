using System.Diagnostics;
using HdrHistogram;

namespace Perf.Load.Recording;

/// <summary>
/// One HdrHistogram <see cref="Recorder"/> per <see cref="LoadStage"/> (microseconds, 3
/// significant digits, up to an hour), safe to record into from any thread, plus the run's
/// counters. <see cref="TakeInterval"/> swaps out each recorder's interval histogram, adds it to
/// the run's total and keeps it for the <c>.hlog</c> interval log.
/// </summary>
public sealed class LoadRecorders
{
    /// <summary>Largest recordable latency in microseconds (one hour); larger values are clamped.</summary>
    public const long HighestTrackableMicroseconds = 3_600_000_000;

    /// <summary>Significant decimal digits kept by every histogram.</summary>
    public const int SignificantDigits = 3;

    private readonly Recorder[] _recorders;
    private readonly HistogramBase[] _totals;
    private readonly List<LoadInterval>[] _intervals;
    private readonly HistogramBase?[] _recycle;
    private HdrHistogram.Utilities.ByteBuffer? _encodeBuffer;
    private long _intervalStartTicks;
    private long _sent;
    private long _accepted;
    private long _delivered;
    private long _rejected;
    private long _duplicates;
    private long _errors;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _errorReasons = new(StringComparer.Ordinal);

    /// <summary>Creates empty recorders; the first interval starts now.</summary>
    public LoadRecorders()
    {
        var count = LoadStageNames.All.Count;
        _recorders = new Recorder[count];
        _totals = new HistogramBase[count];
        _intervals = new List<LoadInterval>[count];
        _recycle = new HistogramBase?[count];
        for (var i = 0; i < count; i++)
        {
            _recorders[i] = new Recorder(1, HighestTrackableMicroseconds, SignificantDigits, CreateConcurrent);
            _totals[i] = new LongHistogram(1, HighestTrackableMicroseconds, SignificantDigits);
            _intervals[i] = [];
        }

        _intervalStartTicks = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Called by <see cref="TakeInterval"/> with each stage's interval histogram as it is taken
    /// (before the histogram is recycled): how the series gathers per-minute latency without
    /// recording anything more per message.
    /// </summary>
    public Action<LoadStage, HistogramBase>? IntervalTaken { get; set; }

    /// <summary>Messages sent in the measured window.</summary>
    public long Sent => Volatile.Read(ref _sent);

    /// <summary>Messages the target confirmed holding (relay ACCEPTED; targets without confirmations count nothing here).</summary>
    public long Accepted => Volatile.Read(ref _accepted);

    /// <summary>Messages opened by their recipient, each counted once.</summary>
    public long Delivered => Volatile.Read(ref _delivered);

    /// <summary>Messages the target refused with a reason.</summary>
    public long Rejected => Volatile.Read(ref _rejected);

    /// <summary>Deliveries of a message already delivered (relay redelivery after a lost ACK).</summary>
    public long Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>Messages that arrived but could not be opened or parsed.</summary>
    public long Errors => Volatile.Read(ref _errors);

    /// <summary>Records an elapsed Stopwatch-tick span into <paramref name="stage"/>'s histogram, in microseconds (negative clamps to 0, beyond an hour to an hour).</summary>
    public void Record(LoadStage stage, long elapsedTicks)
    {
        var micros = elapsedTicks <= 0 ? 0 : elapsedTicks * 1_000_000 / Stopwatch.Frequency;
        _recorders[(int)stage].RecordValue(Math.Clamp(micros, 1, HighestTrackableMicroseconds));
    }

    /// <summary>Counts a sent message.</summary>
    public void CountSent() => Interlocked.Increment(ref _sent);

    /// <summary>Counts a message the target confirmed.</summary>
    public void CountAccepted() => Interlocked.Increment(ref _accepted);

    /// <summary>Counts a delivered message.</summary>
    public void CountDelivered() => Interlocked.Increment(ref _delivered);

    /// <summary>Counts a refused message.</summary>
    public void CountRejected() => Interlocked.Increment(ref _rejected);

    /// <summary>Counts a repeated delivery.</summary>
    public void CountDuplicate() => Interlocked.Increment(ref _duplicates);

    /// <summary>Counts a message that could not be opened or parsed, and why (<see cref="ErrorReasons"/>; only on this rare path).</summary>
    public void CountError(string reason)
    {
        Interlocked.Increment(ref _errors);
        _errorReasons.AddOrUpdate(reason, 1, static (_, count) => count + 1);
    }

    /// <summary>The errors by reason (<c>unreadable_payload</c>, or the E2E session's refusal such as <c>too_far_ahead</c>), sorted by name.</summary>
    public IReadOnlyDictionary<string, long> ErrorReasons => new SortedDictionary<string, long>(_errorReasons, StringComparer.Ordinal);

    /// <summary>
    /// Closes the current interval: each stage's interval histogram is added to its total and
    /// kept (start/end stamped) for the interval log. Call from one thread (the sampler).
    /// Returns the end-to-end and lag interval histograms for progress display.
    /// </summary>
    public LoadIntervalSummary TakeInterval()
    {
        var endTicks = Stopwatch.GetTimestamp();
        var startTime = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(_intervalStartTicks, endTicks);
        LoadIntervalSummary summary = default;
        for (var i = 0; i < _recorders.Length; i++)
        {
            var interval = _recorders[i].GetIntervalHistogram(_recycle[i]);
            _totals[i].Add(interval);
            IntervalTaken?.Invoke((LoadStage)i, interval);
            _intervals[i].Add(LoadInterval.Encode(interval, startTime.ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ref _encodeBuffer));
            if ((LoadStage)i == LoadStage.EndToEnd)
            {
                summary = summary with { EndToEndCount = interval.TotalCount, EndToEndP50 = Percentile(interval, 50), EndToEndP99 = Percentile(interval, 99) };
            }
            else if ((LoadStage)i == LoadStage.GeneratorLag)
            {
                summary = summary with { LagP99 = Percentile(interval, 99), LagMax = interval.TotalCount == 0 ? 0 : interval.GetMaxValue() };
            }

            _recycle[i] = interval;
        }

        _intervalStartTicks = endTicks;
        return summary;
    }

    /// <summary>The total histogram of <paramref name="stage"/> over every interval taken so far.</summary>
    public HistogramBase Total(LoadStage stage) => _totals[(int)stage];

    /// <summary>The intervals of <paramref name="stage"/> taken so far, oldest first.</summary>
    public IReadOnlyList<LoadInterval> Intervals(LoadStage stage) => _intervals[(int)stage];

    private static long Percentile(HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile);

    private static HistogramBase CreateConcurrent(long instanceId, long lowest, long highest, int digits) =>
        new LongConcurrentHistogram(instanceId, lowest, highest, digits);
}

/// <summary>What the progress display shows about the last interval (microseconds).</summary>
public readonly record struct LoadIntervalSummary(long EndToEndCount, long EndToEndP50, long EndToEndP99, long LagP99, long LagMax);
