using Perf.Results.Model;

namespace Perf.Results.Soak;

/// <summary>
/// Fits every series field against time after a warm-up: the result's <c>series_slopes</c>. Each
/// entry is a point at its end (seconds into the measured window). Two things that are not a leak
/// are kept out of the memory slope, each in a way a leak cannot hide behind:
/// <list type="bullet">
/// <item>Bounded buffers filling. The fit starts at the later of the soak warm-up and the entry
/// where the relay's mailbox depth first came within <see cref="DepthTolerance"/> of the largest
/// depth the series reached (<see cref="SeriesSlopes.BuffersFullS"/>): slow consumers' mailboxes
/// filling toward their cap grow memory by design, up to a bound. The buffers must be seen full at
/// <see cref="MinPlateauPoints"/> readings at least: a depth that never levels off reaches its
/// largest only at the end, which leaves too few, and the rule then fails as too short, not as passed.</item>
/// <item>The collector's saw-tooth. Garbage that survives into generation 2 (here, churned
/// clients' connections) is freed only by a full collection, minutes apart, so between two of
/// them memory climbs and a slope over part of one cycle reads as growth. When at least
/// <see cref="MinFullCollectionPoints"/> entries after the start saw a gen-2 collection, the
/// resident set's slope is fitted over those entries only (memory at like points of the cycle,
/// <see cref="SeriesSlopes.RssBasis"/> <c>full_collections</c>); otherwise over every entry, which is the
/// stricter reading. A leak raises memory at every point of the cycle, so it shows either way.
/// When the harness induced a full collection before every reading (<c>perf load --soak-gc
/// induced</c>, the default for a .NET target process), every entry is such a point: all are fitted
/// (<see cref="InducedCollectionsBasis"/>), and a 30-minute run is enough.</item>
/// </list>
/// </summary>
public static class SeriesSlopeFit
{
    /// <summary>Entries with a gen-2 collection needed to fit the resident set over them alone.</summary>
    public const int MinFullCollectionPoints = 3;

    /// <summary>Readings the fit needs once it starts where the buffers were full (the plateau seen, not a last point of the filling).</summary>
    public const int MinPlateauPoints = 3;

    /// <summary>The RSS basis when it is fitted over the entries that saw a full collection.</summary>
    public const string FullCollectionsBasis = "full_collections";

    /// <summary>The RSS basis when it is fitted over every entry.</summary>
    public const string EveryEntryBasis = "every_entry";

    /// <summary>The RSS basis when every entry was read right after a full collection the harness induced.</summary>
    public const string InducedCollectionsBasis = "induced_full_collections";

    private const double SecondsPerHour = 3600;

    /// <summary>
    /// How near the largest mailbox depth counts as full: 5 % of it, and at least 1,000 messages
    /// (the relay's DELIVERs in flight per connection, which move the depth up and down by themselves).
    /// </summary>
    private const double DepthTolerance = 0.05;
    private const long DepthToleranceFloor = 1_000;

    /// <summary>
    /// The slopes of <paramref name="series"/> from <paramref name="warmupS"/> (or later, once the
    /// bounded buffers are full); <c>null</c> when fewer than two entries end at or after that.
    /// <paramref name="inducedCollections"/>: every entry was read right after a full collection
    /// the harness induced in the target.
    /// </summary>
    public static SeriesSlopes? Fit(IReadOnlyList<SeriesEntry> series, double warmupS, bool inducedCollections = false)
    {
        ArgumentNullException.ThrowIfNull(series);
        var buffersFull = BuffersFullS(series);
        var fromS = Math.Max(warmupS, buffersFull ?? 0);
        var points = new List<SeriesEntry>(series.Count);
        foreach (var entry in series)
        {
            // A hair of tolerance: an entry that ends exactly at the warm-up is its first reading.
            if (End(entry) >= fromS - 1e-6)
            {
                points.Add(entry);
            }
        }

        if (points.Count < 2 || (buffersFull > warmupS && points.Count < MinPlateauPoints))
        {
            return null;
        }

        var xs = points.ConvertAll(End);
        var (rssBasis, rssPoints) = inducedCollections ? (InducedCollectionsBasis, points) : RssPoints(points);
        var rss = LeastSquares.Fit(rssPoints.ConvertAll(End), rssPoints.ConvertAll(e => (double?)e.RssBytes));
        var heap = LeastSquares.Fit(xs, points.ConvertAll(e => (double?)e.GcHeapBytes));
        return new SeriesSlopes
        {
            FromS = fromS,
            WarmupS = warmupS,
            BuffersFullS = buffersFull,
            Points = points.Count,
            RssBasis = rssBasis,
            RssPoints = rssPoints.Count,
            RssBytes = PerHour(rss),
            RssPercent = PercentPerHour(rss, xs[0]),
            GcHeapBytes = PerHour(heap),
            GcHeapPercent = PercentPerHour(heap, xs[0]),
            Handles = PerHour(LeastSquares.Fit(xs, points.ConvertAll(e => (double?)e.Handles))),
            Gen2Collections = PerHour(LeastSquares.Fit(xs, points.ConvertAll(e => (double?)e.Gen2Collections))),
            GcPauseMs = PerHour(LeastSquares.Fit(xs, points.ConvertAll(e => e.GcPauseMs))),
            P99Us = PerHour(LeastSquares.Fit(xs, points.ConvertAll(e => (double?)e.P99Us))) ?? 0,
            Delivered = PerHour(LeastSquares.Fit(xs, points.ConvertAll(e => (double?)e.Delivered))) ?? 0,
            Lost = PerHour(LeastSquares.Fit(xs, points.ConvertAll(e => (double?)e.Lost))) ?? 0,
        };
    }

    /// <summary>
    /// Where the relay's mailboxes were first full: the end of the first entry whose depth came
    /// within the tolerance of the largest depth of the series; <c>null</c> when no depth was read.
    /// </summary>
    public static double? BuffersFullS(IReadOnlyList<SeriesEntry> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        long? largest = null;
        foreach (var entry in series)
        {
            if (entry.MailboxDepth is { } depth && (largest is null || depth > largest))
            {
                largest = depth;
            }
        }

        if (largest is not { } max)
        {
            return null;
        }

        var full = max - Math.Max((long)(max * DepthTolerance), DepthToleranceFloor);
        foreach (var entry in series)
        {
            if (entry.MailboxDepth is { } depth && depth >= full)
            {
                return End(entry);
            }
        }

        return null;
    }

    // The entries with a full collection, when there are enough of them; else every entry.
    private static (string Basis, List<SeriesEntry> Points) RssPoints(List<SeriesEntry> points)
    {
        var collected = points.FindAll(e => e.Gen2Collections > 0 && e.RssBytes is not null);
        return collected.Count >= MinFullCollectionPoints ? (FullCollectionsBasis, collected) : (EveryEntryBasis, points);
    }

    private static double End(SeriesEntry entry) => entry.StartS + entry.Seconds;

    private static double? PerHour(LeastSquares? line) => line is { } l ? l.Slope * SecondsPerHour : null;

    // Growth per hour as a share of the fitted value where the fit starts (the size once warm):
    // the fitted value, not the first reading, so one noisy reading does not set the scale.
    private static double? PercentPerHour(LeastSquares? line, double fromX) =>
        line is { } l && l.At(fromX) is var start && start > 0 ? l.Slope * SecondsPerHour / start * 100 : null;
}
