using System.Diagnostics;
using HdrHistogram;
using Perf.Load.Probes;

namespace Perf.Load.Recording;

/// <summary>
/// A run's measured window cut into intervals (a minute by default) for the result's
/// <c>series</c>. Counts go to the interval of the message's intended send time (sent, delivered:
/// one interlocked add each, into arrays sized once), rejections to the interval they arrive in;
/// end-to-end latency is gathered from the recorders' one-second histograms as the sampler takes
/// them, so the hot path records nothing more for it. At each boundary the sampler closes the
/// interval (its latency kept encoded, a few KB, for the first and last windows) and a probe reads
/// the target off the sampler's thread; the last interval closes after the drain, so its latency
/// holds the drain's arrivals. A window shorter than one interval has no series.
/// </summary>
public sealed class LoadSeries
{
    private readonly long _intervalTicks;
    private readonly long[] _sent;
    private readonly long[] _delivered;
    private readonly long[] _rejected;
    private readonly double[] _seconds;
    private readonly LongHistogram _current = new(1, LoadRecorders.HighestTrackableMicroseconds, LoadRecorders.SignificantDigits);
    private readonly List<LoadInterval> _latencies = [];
    private readonly List<Task<TargetSnapshot>> _readings = [];
    private readonly ITargetProbe? _probe;
    private readonly CancellationToken _cancellationToken;
    private HdrHistogram.Utilities.ByteBuffer? _encodeBuffer;
    private long _measureStart = long.MaxValue;

    /// <summary>Cuts a measured window of <paramref name="measured"/> into intervals of <paramref name="interval"/> (the last may be shorter, if at least a second long).</summary>
    /// <param name="interval">The interval (at least a second).</param>
    /// <param name="measured">The measured window.</param>
    /// <param name="probe">Reads the target at each boundary (and once as the window opens), or <c>null</c>.</param>
    /// <param name="cancellationToken">Stops the probes' readings.</param>
    public LoadSeries(TimeSpan interval, TimeSpan measured, ITargetProbe? probe = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromSeconds(1));
        Interval = interval;
        _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        var whole = measured < interval ? 0 : (int)(measured.Ticks / interval.Ticks);
        var rest = measured - (interval * whole);
        var count = whole == 0 ? 0 : whole + (rest >= TimeSpan.FromSeconds(1) ? 1 : 0);
        _sent = new long[count];
        _delivered = new long[count];
        _rejected = new long[count];
        _seconds = new double[count];
        for (var i = 0; i < count; i++)
        {
            _seconds[i] = i < whole ? interval.TotalSeconds : rest.TotalSeconds;
        }

        _probe = probe;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The interval length.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Intervals the window holds (0: shorter than one interval, no series).</summary>
    public int Count => _sent.Length;

    /// <summary>Intervals closed so far.</summary>
    public int Closed => _latencies.Count;

    /// <summary>Opens the window at <paramref name="measureStartTicks"/> and takes the probe's first reading (the baseline of the first interval's collections and pauses).</summary>
    public void Open(long measureStartTicks)
    {
        _measureStart = measureStartTicks;
        if (Count > 0)
        {
            Read(notBefore: measureStartTicks);
        }
    }

    /// <summary>Counts a measured message sent with intended time <paramref name="intendedTicks"/>.</summary>
    public void CountSent(long intendedTicks) => Add(_sent, intendedTicks);

    /// <summary>Counts the first delivery of a measured message intended at <paramref name="intendedTicks"/>.</summary>
    public void CountDelivered(long intendedTicks) => Add(_delivered, intendedTicks);

    /// <summary>Counts a refusal that arrived at <paramref name="arrivedTicks"/>.</summary>
    public void CountRejected(long arrivedTicks) => Add(_rejected, arrivedTicks);

    /// <summary>Whether the sampler should close the next interval at <paramref name="nowTicks"/>: its end has passed and it is not the last (that one closes after the drain).</summary>
    public bool IsDue(long nowTicks) => Closed < Count - 1 && _measureStart != long.MaxValue && nowTicks >= _measureStart + ((Closed + 1) * _intervalTicks);

    /// <summary>Adds one of the recorders' end-to-end interval histograms to the open interval (the sampler's thread).</summary>
    public void AddLatency(HistogramBase interval)
    {
        ArgumentNullException.ThrowIfNull(interval);
        if (Closed < Count)
        {
            _current.Add(interval);
        }
    }

    /// <summary>Closes the open interval: keeps its latency and starts the probe's reading (the sampler's thread; after the drain for the last).</summary>
    public void CloseInterval()
    {
        if (Closed >= Count)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _latencies.Add(LoadInterval.Encode(_current, now - (long)(_seconds[Closed] * 1000), now, ref _encodeBuffer));
        _current.Reset();
        Read(notBefore: 0);
    }

    /// <summary>
    /// Closes every interval still open, the last holding the drain's arrivals (after the drain).
    /// The sampler closes each interval when it falls due, but it runs at low priority: on a busy
    /// machine it can wake only after the window has ended, and those it missed close here, so the
    /// series always has <see cref="Count"/> entries.
    /// </summary>
    public void CloseRemaining()
    {
        while (Closed < Count)
        {
            CloseInterval();
        }
    }

    /// <summary>Waits for the probe's readings; the first is the window's opening, then one per closed interval.</summary>
    public async Task<IReadOnlyList<TargetSnapshot>> ReadingsAsync()
    {
        var readings = new TargetSnapshot[_readings.Count];
        for (var i = 0; i < readings.Length; i++)
        {
            try
            {
                readings[i] = await _readings[i].ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                readings[i] = TargetSnapshot.Empty;
            }
        }

        return readings;
    }

    /// <summary>The closed interval <paramref name="index"/>: its counts (final once the drain is over) and its latency histogram.</summary>
    public LoadSeriesInterval this[int index] => new(
        index,
        index * Interval.TotalSeconds,
        _seconds[index],
        Volatile.Read(ref _sent[index]),
        Volatile.Read(ref _delivered[index]),
        Volatile.Read(ref _rejected[index]),
        _latencies[index]);

    // Off the sampler's thread (a scrape takes milliseconds), and not before notBefore.
    private void Read(long notBefore)
    {
        if (_probe is not { } probe)
        {
            return;
        }

        var token = _cancellationToken;
        _readings.Add(Task.Run(
            async () =>
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), notBefore);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, token).ConfigureAwait(false);
                }

                return await probe.ReadAsync(token).ConfigureAwait(false);
            },
            CancellationToken.None));
    }

    private void Add(long[] counts, long ticks)
    {
        if (counts.Length == 0 || ticks < _measureStart)
        {
            return;
        }

        var index = (ticks - _measureStart) / _intervalTicks;
        Interlocked.Increment(ref counts[index >= counts.Length ? counts.Length - 1 : index]);
    }
}

/// <summary>One closed interval of a <see cref="LoadSeries"/>.</summary>
/// <param name="Index">Its number, from 0.</param>
/// <param name="StartS">Its start, seconds into the measured window.</param>
/// <param name="Seconds">Its length.</param>
/// <param name="Sent">Messages intended in it.</param>
/// <param name="Delivered">Of those, delivered.</param>
/// <param name="Rejected">Refusals that arrived in it.</param>
/// <param name="Latency">End-to-end latency of the messages delivered in it.</param>
public readonly record struct LoadSeriesInterval(int Index, double StartS, double Seconds, long Sent, long Delivered, long Rejected, LoadInterval Latency);
