using System.Globalization;

namespace Perf.Load.Shards;

/// <summary>
/// <c>--shard I/N</c>: slice I (0-based) of N of one run. The run's connections are cut into N
/// contiguous slices (shard I holds connections ⌊I·C/N⌋ to ⌊(I+1)·C/N⌋ − 1), each keeping its
/// place in the whole schedule, so its share of the rate is the whole rate × its connections / C;
/// idle connections are cut the same way. Every shard of a run is given the same whole-run values
/// (<c>--connections</c>, <c>--rate</c>, <c>--idle-connections</c>) and the same start.
/// </summary>
/// <param name="Index">This shard, 0 to <paramref name="Count"/> − 1.</param>
/// <param name="Count">How many shards the run has.</param>
public sealed record ShardPlan(int Index, int Count)
{
    /// <summary>The most shards one run may have.</summary>
    public const int MaxShards = 1024;

    /// <summary>Parses <c>I/N</c>; false with a one-line <paramref name="error"/>.</summary>
    public static bool TryParse(string? text, out ShardPlan? shard, out string? error)
    {
        shard = null;
        error = null;
        var parts = text?.Split('/') ?? [];
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            error = $"--shard '{text}': expected I/N, shard I (0-based) of N, e.g. 0/4.";
            return false;
        }

        if (count is < 1 or > MaxShards || index >= count)
        {
            error = $"--shard {text}: N must be 1 to {MaxShards} and I from 0 to N - 1.";
            return false;
        }

        shard = new ShardPlan(index, count);
        return true;
    }

    /// <summary>The first of this shard's items when <paramref name="total"/> are cut into <see cref="Count"/> slices.</summary>
    public int FirstOf(int total) => (int)((long)Index * total / Count);

    /// <summary>How many of <paramref name="total"/> items are this shard's.</summary>
    public int CountOf(int total) => (int)((long)(Index + 1) * total / Count) - FirstOf(total);

    /// <summary>This shard's slice of <paramref name="whole"/>: its connections, its share of the rate, its place in the whole schedule.</summary>
    public LoadScenario Slice(LoadScenario whole)
    {
        ArgumentNullException.ThrowIfNull(whole);
        var connections = CountOf(whole.Connections);
        return whole with
        {
            Connections = connections,
            RatePerSecond = whole.RatePerSecond * connections / whole.Connections,
            Slice = new ConnectionSlice(FirstOf(whole.Connections), whole.Connections, whole.RatePerSecond),
        };
    }

    /// <summary>As <c>--shard</c> writes it.</summary>
    public override string ToString() => $"{Index}/{Count}";
}
