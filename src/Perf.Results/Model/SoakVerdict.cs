namespace Perf.Results.Model;

/// <summary>
/// The soak rule's verdict on a run (the result's <c>soak</c> section; <c>perf load</c> exits 1
/// when it failed): resident memory may grow at most <see cref="MaxRssPercentPerHour"/> after the
/// warm-up, nothing may be lost, and the last window's p99 may be at most
/// <see cref="MaxP99Ratio"/> times the first window's.
/// </summary>
public sealed record SoakVerdict
{
    /// <summary>Whether every rule held.</summary>
    public required bool Passed { get; init; }

    /// <summary>One line per broken rule (empty when it passed).</summary>
    public required IReadOnlyList<string> Failures { get; init; }

    /// <summary>The bound on the resident set's growth, percent per hour after the warm-up.</summary>
    public required double MaxRssPercentPerHour { get; init; }

    /// <summary>The bound on the last window's p99 over the first's.</summary>
    public required double MaxP99Ratio { get; init; }

    /// <summary>The resident set's growth the rule read, percent per hour (absent when the target's memory was not read).</summary>
    public double? RssPercentPerHour { get; init; }

    /// <summary>The length of the first and the last window, seconds (five minutes, or half a shorter run).</summary>
    public required double WindowS { get; init; }

    /// <summary>End-to-end p99 of the messages delivered in the first window, µs.</summary>
    public required double FirstP99Us { get; init; }

    /// <summary>End-to-end p99 of the messages delivered in the last window (and the drain), µs.</summary>
    public required double LastP99Us { get; init; }

    /// <summary>Messages lost as the rule counts them: <c>metrics.lost</c> less what the relay still held at the end for slow consumers.</summary>
    public required long Lost { get; init; }
}
