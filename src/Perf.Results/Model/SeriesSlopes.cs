namespace Perf.Results.Model;

/// <summary>
/// The least-squares slope of each <see cref="SeriesEntry"/> field against time, per hour, over
/// the entries that end at or after the warm-up (<see cref="FromS"/>): the result's
/// <c>series_slopes</c>. A field the series did not record has no slope; with fewer than two
/// points there is none at all.
/// </summary>
public sealed record SeriesSlopes
{
    /// <summary>
    /// Seconds into the measured window where the fit starts: the later of <see cref="WarmupS"/>
    /// and <see cref="BuffersFullS"/>; entries ending before it are left out.
    /// </summary>
    public required double FromS { get; init; }

    /// <summary>The soak warm-up asked for (<c>--soak-warmup</c>, at most half the run), seconds.</summary>
    public double? WarmupS { get; init; }

    /// <summary>
    /// Where the relay's mailboxes were first full (the first entry whose depth came within 5 %, and
    /// 1,000 messages, of the largest depth of the series), seconds; <c>null</c> when no depth was read.
    /// </summary>
    public double? BuffersFullS { get; init; }

    /// <summary>Entries in the fit.</summary>
    public required int Points { get; init; }

    /// <summary>
    /// Which entries the resident set's slope is fitted over: <c>full_collections</c> (only those
    /// that saw a gen-2 collection: memory at like points of the collector's cycle, when at least
    /// three did) or <c>every_entry</c>.
    /// </summary>
    public string? RssBasis { get; init; }

    /// <summary>Entries in the resident set's fit.</summary>
    public int? RssPoints { get; init; }

    /// <summary>Resident set size, bytes per hour.</summary>
    public double? RssBytes { get; init; }

    /// <summary>Resident set size, percent per hour of the fitted value at <see cref="FromS"/>.</summary>
    public double? RssPercent { get; init; }

    /// <summary>Garbage-collected heap, bytes per hour.</summary>
    public double? GcHeapBytes { get; init; }

    /// <summary>Garbage-collected heap, percent per hour of the fitted value at <see cref="FromS"/>.</summary>
    public double? GcHeapPercent { get; init; }

    /// <summary>Open descriptors, per hour.</summary>
    public double? Handles { get; init; }

    /// <summary>Gen-2 collections per entry, change per hour.</summary>
    public double? Gen2Collections { get; init; }

    /// <summary>GC pause ms per entry, change per hour.</summary>
    public double? GcPauseMs { get; init; }

    /// <summary>The entries' p99, µs per hour.</summary>
    public required double P99Us { get; init; }

    /// <summary>Delivered per entry, change per hour.</summary>
    public required double Delivered { get; init; }

    /// <summary>Lost per entry, change per hour.</summary>
    public required double Lost { get; init; }
}
