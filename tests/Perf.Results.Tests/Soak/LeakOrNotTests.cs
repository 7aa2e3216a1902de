using Perf.Results.Model;
using Perf.Results.Soak;

namespace Perf.Results.Tests.Soak;

/// <summary>
/// What the soak rule does not call a leak (bounded buffers filling to their cap, the collector's
/// saw-tooth between full collections) and what it still does: memory that grows once the buffers
/// are full, or whose low points rise from one full collection to the next.
/// </summary>
public sealed class LeakOrNotTests
{
    private const long Mb = 1_000_000;
    private static readonly SoakRuleOptions Options = new();

    [Fact]
    public void Mailboxes_filling_to_their_cap_are_left_out_of_the_slope_and_memory_flat_after_them_passes()
    {
        // Slow consumers' mailboxes fill for 12 minutes (2 MB a minute with them), then stay at their cap.
        var series = Filling(minutes: 30, fullAt: 12, rssAfter: _ => 0);

        var slopes = SeriesSlopeFit.Fit(series, Options.Warmup.TotalSeconds)!;
        var verdict = Judge(series);

        Assert.Equal(720, slopes.BuffersFullS); // entry 11 ends at 12 minutes: its depth is the cap's
        Assert.Equal((720.0, 300.0), (slopes.FromS, slopes.WarmupS!.Value));
        Assert.Equal(0, slopes.RssPercent!.Value, 6);
        Assert.True(verdict.Passed, string.Join("; ", verdict.Failures));
    }

    [Fact]
    public void Memory_that_grows_once_the_mailboxes_are_full_is_still_a_leak()
    {
        // The same filling, then 0.5 MB a minute more on the 324 MB reached: 9.3 %/h.
        var verdict = Judge(Filling(minutes: 30, fullAt: 12, rssAfter: minutesAfter => Mb / 2 * minutesAfter));

        Assert.False(verdict.Passed);
        Assert.StartsWith("memory: resident set grew 9.", Assert.Single(verdict.Failures), StringComparison.Ordinal);
        Assert.Contains("from 720 s", verdict.Failures[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Mailboxes_still_filling_at_the_end_leave_nothing_to_judge_and_fail_saying_so()
    {
        // Never at a cap: the depth is largest in the last entry, so the fit would start there.
        var series = Filling(minutes: 30, fullAt: 30, rssAfter: _ => 0);

        var verdict = SoakRule.Evaluate(new SoakReading(SeriesSlopeFit.Fit(series, Options.Warmup.TotalSeconds), 300, 1000, 1000, 0, SeriesSlopeFit.BuffersFullS(series)), Options);

        Assert.False(verdict.Passed);
        Assert.StartsWith("memory: too short to fit a slope, the relay's mailboxes were not full before 1740 s", Assert.Single(verdict.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void A_few_hundred_deliveries_in_flight_do_not_move_the_start()
    {
        // Depth wandering 500..900 (DELIVERs awaiting ACKs): under the 1,000-message tolerance, full from the first entry.
        var series = SeriesFixture.Minutes(30, _ => 300 * Mb).Select(e => e with { MailboxDepth = 500 + (e.Index * 37 % 400) }).ToList();

        var slopes = SeriesSlopeFit.Fit(series, Options.Warmup.TotalSeconds)!;

        Assert.Equal(60, slopes.BuffersFullS);
        Assert.Equal(300, slopes.FromS);
    }

    [Fact]
    public void The_collectors_saw_tooth_without_a_leak_passes_judged_at_its_full_collections()
    {
        // 3 MB a minute of garbage into generation 2, collected every 6 minutes (entries 5, 11, 17, 23, 29).
        var series = SawTooth(leakPerMinute: 0);

        var slopes = SeriesSlopeFit.Fit(series, Options.Warmup.TotalSeconds)!;
        var verdict = Judge(series);

        Assert.Equal((SeriesSlopeFit.FullCollectionsBasis, 5), (slopes.RssBasis, slopes.RssPoints!.Value));
        Assert.Equal(0, slopes.RssPercent!.Value, 6);
        Assert.True(verdict.Passed, string.Join("; ", verdict.Failures));
    }

    [Fact]
    public void A_leak_under_the_saw_tooth_raises_every_full_collections_low_point_and_fails()
    {
        // The same saw-tooth on memory that grows 0.5 MB a minute (10 %/h of 300 MB).
        var verdict = Judge(SawTooth(leakPerMinute: Mb / 2));

        Assert.False(verdict.Passed);
        var failure = Assert.Single(verdict.Failures);
        Assert.StartsWith("memory: resident set grew ", failure, StringComparison.Ordinal);
        Assert.Contains("fitted over the 5 entries with a full collection", failure, StringComparison.Ordinal);
        Assert.InRange(verdict.RssPercentPerHour!.Value, 9, 11);
    }

    [Fact]
    public void With_too_few_full_collections_every_entry_is_fitted_and_the_failure_says_a_longer_run_compares_like_points()
    {
        // Only entries 11 and 17 saw a full collection after the warm-up; the saw-tooth on a leak of 0.5 MB a minute.
        var series = SawTooth(leakPerMinute: Mb / 2).Select(e => e with { Gen2Collections = e.Index is 11 or 17 ? 1 : 0 }).ToList();

        var slopes = SeriesSlopeFit.Fit(series, Options.Warmup.TotalSeconds)!;
        var verdict = Judge(series);

        Assert.Equal((SeriesSlopeFit.EveryEntryBasis, 26), (slopes.RssBasis, slopes.RssPoints!.Value));
        Assert.Contains("fewer than 3 saw a full collection", Assert.Single(verdict.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Readings_after_induced_full_collections_are_all_fitted_so_thirty_minutes_pass_flat_memory_and_fail_a_leak()
    {
        // Each entry read right after a collection the harness induced: the saw-tooth is gone, only the live set is left.
        var flat = SeriesFixture.Minutes(30, _ => 300 * Mb).Select(e => e with { Gen2Collections = 1 }).ToList();
        var leaking = SeriesFixture.Minutes(30, i => (300 * Mb) + (Mb / 2 * i)).Select(e => e with { Gen2Collections = 1 }).ToList();

        var flatSlopes = SeriesSlopeFit.Fit(flat, Options.Warmup.TotalSeconds, inducedCollections: true)!;
        var leak = SoakRule.Evaluate(new SoakReading(SeriesSlopeFit.Fit(leaking, Options.Warmup.TotalSeconds, inducedCollections: true), Options.Window.TotalSeconds, 1000, 1000, 0), Options);

        Assert.Equal((SeriesSlopeFit.InducedCollectionsBasis, 26), (flatSlopes.RssBasis, flatSlopes.RssPoints!.Value));
        Assert.Equal(0, flatSlopes.RssPercent!.Value, 6);
        Assert.False(leak.Passed);
        Assert.Contains("each read right after a full collection the harness induced", Assert.Single(leak.Failures), StringComparison.Ordinal);
        Assert.InRange(leak.RssPercentPerHour!.Value, 9, 11);
    }

    // Mailboxes fill 2,000 messages (and 2 MB) a minute until minute fullAt, then stay; memory then grows by rssAfter(minutes since).
    private static List<SeriesEntry> Filling(int minutes, int fullAt, Func<int, long> rssAfter) =>
        SeriesFixture.Minutes(minutes, i => (300 * Mb) + (2 * Mb * Math.Min(i + 1, fullAt)) + rssAfter(Math.Max(0, i + 1 - fullAt)))
            .Select(e => e with { MailboxDepth = 2_000L * Math.Min(e.Index + 1, fullAt) })
            .ToList();

    // Garbage climbs 3 MB a minute and a full collection every 6 minutes takes it back.
    private static List<SeriesEntry> SawTooth(long leakPerMinute) =>
        SeriesFixture.Minutes(30, i => (300 * Mb) + (leakPerMinute * i) + (3 * Mb * ((i + 1) % 6)))
            .Select(e => e with { Gen2Collections = (e.Index + 1) % 6 == 0 ? 1 : 0 })
            .ToList();

    private static SoakVerdict Judge(IReadOnlyList<SeriesEntry> series) =>
        SoakRule.Evaluate(new SoakReading(SeriesSlopeFit.Fit(series, Options.Warmup.TotalSeconds), Options.Window.TotalSeconds, 1000, 1000, 0, SeriesSlopeFit.BuffersFullS(series)), Options);
}
