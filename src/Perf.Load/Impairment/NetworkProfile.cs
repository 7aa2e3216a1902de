using System.Text;
using Perf.Results.Model;

namespace Perf.Load.Impairment;

/// <summary>
/// The network conditions an <see cref="ImpairmentProxy"/> applies to each connection: per
/// direction latency, jitter, bandwidth and loss; link outages; resets; slicing; and the seed of
/// every random draw, so a run can be repeated. Written on one line, as <c>--network</c> takes it:
/// a named profile (<see cref="NetworkProfiles"/>), key=value pairs, or a name followed by pairs
/// that change it (<c>mobile,seed=7</c>). <see cref="ToString"/> gives the canonical line, which
/// parses back to an equal profile; <see cref="ToResult"/> the result file's <c>scenario.network</c>.
/// </summary>
public sealed record NetworkProfile
{
    /// <summary>The retransmission delay when the profile names none: Linux's minimum TCP retransmission timeout (200 ms).</summary>
    public static readonly TimeSpan DefaultRetransmit = TimeSpan.FromMilliseconds(200);

    /// <summary>The seed when the profile names none: runs repeat unless asked otherwise.</summary>
    public const long DefaultSeed = 1;

    /// <summary>The named profile this one started from, or <c>null</c>.</summary>
    public string? Name { get; init; }

    /// <summary>Client to server: the phone's uplink.</summary>
    public LinkImpairment Up { get; init; }

    /// <summary>Server to client: the phone's downlink.</summary>
    public LinkImpairment Down { get; init; }

    /// <summary>How long a chunk picked as lost is held (with everything behind it): TCP's retransmission timeout.</summary>
    public TimeSpan Retransmit { get; init; } = DefaultRetransmit;

    /// <summary>Link outages, or <c>null</c>.</summary>
    public StallPlan? Stall { get; init; }

    /// <summary>Each connection is reset (RST) with this probability per second (Poisson), or 0.</summary>
    public double ResetPerSecond { get; init; }

    /// <summary>Each connection is reset once it has carried this many bytes (both directions), or 0.</summary>
    public long ResetAfterBytes { get; init; }

    /// <summary>Writes split into pieces, or <c>null</c>.</summary>
    public SlicePlan? Slice { get; init; }

    /// <summary>Seed of every random draw (non-negative).</summary>
    public long Seed { get; init; } = DefaultSeed;

    /// <summary>Reads a profile line.</summary>
    /// <exception cref="FormatException">The line is malformed; the one-line message names the key.</exception>
    public static NetworkProfile Parse(string text) =>
        TryParse(text, out var profile, out var error) ? profile : throw new FormatException(error);

    /// <summary>Reads a profile line; on failure <paramref name="error"/> is one line naming the bad key or name.</summary>
    public static bool TryParse(string? text, out NetworkProfile profile, out string error) =>
        NetworkProfileParser.TryParse(text, out profile, out error);

    /// <summary>The canonical line: every key that differs from a perfect link, in a fixed order, and the seed.</summary>
    public override string ToString()
    {
        var line = new StringBuilder();
        Directional(line, "latency", Up.Latency, Down.Latency, TimeSpan.Zero, ProfileUnits.FormatTime);
        Directional(line, "jitter", Up.Jitter, Down.Jitter, TimeSpan.Zero, ProfileUnits.FormatTime);
        Directional(line, "bandwidth", Up.BitsPerSecond, Down.BitsPerSecond, 0, ProfileUnits.FormatBitRate);
        Directional(line, "loss", Up.Loss, Down.Loss, 0, ProfileUnits.FormatShare);
        if (Retransmit != DefaultRetransmit)
        {
            Pair(line, "retransmit", ProfileUnits.FormatTime(Retransmit));
        }

        if (Stall is not null)
        {
            Pair(line, "stall", Stall.ToString());
        }

        if (ResetPerSecond > 0)
        {
            Pair(line, "reset", ProfileUnits.FormatPerSecond(ResetPerSecond));
        }

        if (ResetAfterBytes > 0)
        {
            Pair(line, "reset-after", ProfileUnits.FormatSize(ResetAfterBytes));
        }

        if (Slice is { } slice)
        {
            Pair(line, "slice", ProfileUnits.FormatSize(slice.AverageBytes));
            if (slice.VariationBytes > 0)
            {
                Pair(line, "slice-variation", ProfileUnits.FormatSize(slice.VariationBytes));
            }

            if (slice.Delay > TimeSpan.Zero)
            {
                Pair(line, "slice-delay", ProfileUnits.FormatTime(slice.Delay));
            }
        }

        Pair(line, "seed", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return line.ToString();
    }

    /// <summary>The result file's <c>scenario.network</c>: this profile, and what the proxy did when it ran.</summary>
    /// <param name="proxy">The proxy's counters at the end of the run, or <c>null</c>.</param>
    public NetworkConditions ToResult(NetworkProxyUsage? proxy = null) => new()
    {
        Name = Name,
        Profile = ToString(),
        Seed = Seed,
        Up = Link(Up),
        Down = Link(Down),
        Stall = Stall is null ? null : new StallConditions
        {
            DurationUs = Micros(Stall.Duration),
            EveryUs = Stall.Every is { } every ? Micros(every) : null,
            PerS = Stall.Every is null ? Stall.PerSecond : null,
        },
        ResetPerS = ResetPerSecond > 0 ? ResetPerSecond : null,
        ResetAfterBytes = ResetAfterBytes > 0 ? ResetAfterBytes : null,
        Slice = Slice is null ? null : new SliceConditions { AverageBytes = Slice.AverageBytes, VariationBytes = Slice.VariationBytes, DelayUs = Micros(Slice.Delay) },
        Source = SourceNote(),
        Proxy = proxy,
    };

    // The named profile's source, and whether keys after the name changed its numbers (a seed is not a change).
    private string? SourceNote()
    {
        if (Name is null || NetworkProfiles.Find(Name) is not { } named)
        {
            return null;
        }

        var source = NetworkProfiles.SourceOf(Name);
        return named with { Seed = Seed } == this ? source : source + "; changed by the keys after the name (see profile)";
    }

    private LinkConditions Link(LinkImpairment link) => new()
    {
        LatencyUs = Micros(link.Latency),
        JitterUs = Micros(link.Jitter),
        BandwidthBitsPerS = link.BitsPerSecond > 0 ? link.BitsPerSecond : null,
        Loss = link.Loss,
        RetransmitUs = Micros(Retransmit),
    };

    private static long Micros(TimeSpan time) => (long)time.TotalMicroseconds;

    // One key for both directions when they agree, else an up- and a down- key.
    private static void Directional<T>(StringBuilder line, string key, T up, T down, T none, Func<T, string> format)
        where T : IEquatable<T>
    {
        if (up.Equals(down))
        {
            if (!up.Equals(none))
            {
                Pair(line, key, format(up));
            }

            return;
        }

        if (!up.Equals(none))
        {
            Pair(line, "up-" + key, format(up));
        }

        if (!down.Equals(none))
        {
            Pair(line, "down-" + key, format(down));
        }
    }

    private static void Pair(StringBuilder line, string key, string value)
    {
        if (line.Length > 0)
        {
            line.Append(',');
        }

        line.Append(key).Append('=').Append(value);
    }
}
