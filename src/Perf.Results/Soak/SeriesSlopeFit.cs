using Perf.Results.Model;

namespace Perf.Results.Soak;

/// <summary>
/// Fits every series field against time after a warm-up: the result's <c>series_slopes</c>. Each
/// entry is a point at its end (seconds into the measured window); entries ending before the
/// warm-up are left out, so the first point is the reading taken as the warm-up ends.
/// </summary>
public static class SeriesSlopeFit
{
    private const double SecondsPerHour = 3600;

    /// <summary>The slopes of <paramref name="series"/> from <paramref name="warmupS"/> on; <c>null</c> when fewer than two entries end at or after it.</summary>
    public static SeriesSlopes? Fit(IReadOnlyList<SeriesEntry> series, double warmupS)
    {
        ArgumentNullException.ThrowIfNull(series);
        var points = new List<SeriesEntry>(series.Count);
        foreach (var entry in series)
        {
            // A hair of tolerance: an entry that ends exactly at the warm-up is its first reading.
            if (End(entry) >= warmupS - 1e-6)
            {
                points.Add(entry);
            }
        }

        if (points.Count < 2)
        {
            return null;
        }

        var xs = points.ConvertAll(End);
        var rss = LeastSquares.Fit(xs, points.ConvertAll(e => (double?)e.RssBytes));
        var heap = LeastSquares.Fit(xs, points.ConvertAll(e => (double?)e.GcHeapBytes));
        return new SeriesSlopes
        {
            FromS = warmupS,
            Points = points.Count,
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

    private static double End(SeriesEntry entry) => entry.StartS + entry.Seconds;

    private static double? PerHour(LeastSquares? line) => line is { } l ? l.Slope * SecondsPerHour : null;

    // Growth per hour as a share of the fitted value where the fit starts (the size once warm):
    // the fitted value, not the first reading, so one noisy reading does not set the scale.
    private static double? PercentPerHour(LeastSquares? line, double fromX) =>
        line is { } l && l.At(fromX) is var start && start > 0 ? l.Slope * SecondsPerHour / start * 100 : null;
}
