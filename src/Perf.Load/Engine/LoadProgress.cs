using Perf.Load.Recording;

namespace Perf.Load.Engine;

/// <summary>One second of a run, for the live display and CI log lines.</summary>
/// <param name="Elapsed">Time since the measured window began (zero during warm-up).</param>
/// <param name="WarmingUp">Whether the run is still in warm-up.</param>
/// <param name="SentPerSecond">Messages sent in the last second (during warm-up, the warm-up's).</param>
/// <param name="DeliveredPerSecond">Messages delivered in the last second (during warm-up, the warm-up's).</param>
/// <param name="Interval">End-to-end p50/p99 and generator lag of the last second (microseconds).</param>
/// <param name="Rejected">Messages refused so far, in the warm-up or in the measured window.</param>
/// <param name="Errors">Arrivals that could not be opened so far, in the warm-up or in the measured window.</param>
public readonly record struct LoadProgress(
    TimeSpan Elapsed,
    bool WarmingUp,
    double SentPerSecond,
    double DeliveredPerSecond,
    LoadIntervalSummary Interval,
    long Rejected,
    long Errors);
