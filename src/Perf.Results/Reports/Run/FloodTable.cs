using System.Globalization;
using Perf.Results.Model;

namespace Perf.Results.Reports.Run;

/// <summary>The handshake flood's comparison (<c>--handshake-flood-baseline</c>): the legitimate clients' delivery and p99 without the flood and under it.</summary>
public static class FloodTable
{
    /// <summary>One row per run whose flood ran beside its baseline; <c>null</c> when none did.</summary>
    public static RunReportTables.Table? Comparison(RunReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var load in data.Loads)
        {
            if (load.Result.HandshakeFlood is not { Baseline: { } without, Flooded: { } with } flood)
            {
                continue;
            }

            rows.Add(
            [
                RunDescription.Label(load),
                flood.RatePerSecond.ToString("N0", CultureInfo.InvariantCulture) + " of " + flood.Kinds,
                Percent(without.DeliveredPercent) + " → " + Percent(with.DeliveredPercent),
                Us(without.P99Us) + " → " + Us(with.P99Us),
                Ratio(flood),
                (flood.Abandoned.Answered + flood.Garbage.Answered).ToString("N0", CultureInfo.InvariantCulture),
            ]);
        }

        return rows.Count == 0
            ? null
            : new RunReportTables.Table(["run", "flood /s", "delivered % without → with", "p99 µs without → with", "p99 ratio", "flood handshakes answered"], rows);
    }

    // One pair: its ratio; several: their median, how many, and their range.
    private static string Ratio(HandshakeFloodRun flood)
    {
        if (flood.P99Ratio is not { } ratio)
        {
            return "-";
        }

        var shown = ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x";
        if (flood.Pairs is not { Count: > 1 } pairs)
        {
            return shown;
        }

        double low = double.MaxValue, high = double.MinValue;
        foreach (var pair in pairs)
        {
            if (pair.P99Ratio is { } r)
            {
                (low, high) = (Math.Min(low, r), Math.Max(high, r));
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{shown} (median of {pairs.Count} pairs, {low:0.00}–{high:0.00})");
    }

    private static string Percent(double percent) => percent.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Us(double? us) => us is { } v ? v.ToString("0", CultureInfo.InvariantCulture) : "-";
}
