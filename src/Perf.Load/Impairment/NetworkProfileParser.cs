namespace Perf.Load.Impairment;

/// <summary>
/// Reads a profile line: <c>[NAME][,KEY=VALUE]...</c>. A key without a direction sets both
/// directions; <c>up-KEY</c> and <c>down-KEY</c> then set one (whatever their order on the line).
/// Anything malformed gives one line that starts with the key (or the name) at fault.
/// </summary>
internal static class NetworkProfileParser
{
    /// <summary>Every key, in the order the docs list them.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "latency", "up-latency", "down-latency", "jitter", "up-jitter", "down-jitter",
        "bandwidth", "up-bandwidth", "down-bandwidth", "loss", "up-loss", "down-loss", "retransmit",
        "stall", "reset", "reset-after", "slice", "slice-variation", "slice-delay", "seed",
    ];

    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);

    public static bool TryParse(string? text, out NetworkProfile profile, out string error)
    {
        profile = new NetworkProfile();
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the profile is empty: give a name (" + string.Join(", ", NetworkProfiles.Names) + ") or key=value pairs such as latency=50ms,bandwidth=1mbit";
            return false;
        }

        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        var tokens = text.Split(',', StringSplitOptions.TrimEntries);
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                if (i > 0 || NetworkProfiles.Find(token) is not { } named)
                {
                    error = token.Length == 0
                        ? "an empty item between commas"
                        : $"unknown profile '{token}': a name ({string.Join(", ", NetworkProfiles.Names)}) goes first, every other item is key=value";
                    return false;
                }

                profile = named;
                continue;
            }

            var key = token[..equals].Trim().ToLowerInvariant();
            if (!Keys.Contains(key))
            {
                error = $"unknown key '{key}' (keys: {string.Join(", ", Keys)})";
                return false;
            }

            if (!pairs.TryAdd(key, token[(equals + 1)..].Trim()))
            {
                error = $"{key}: given twice";
                return false;
            }
        }

        return Apply(profile, pairs, out profile, out error);
    }

    // Both-direction keys first, so up-/down- keys refine them whatever the line's order.
    private static bool Apply(NetworkProfile start, Dictionary<string, string> pairs, out NetworkProfile profile, out string error)
    {
        profile = start;
        var reader = new PairReader(pairs);
        var up = start.Up;
        var down = start.Down;
        foreach (var prefix in (string[])["", "up-", "down-"])
        {
            var setsUp = prefix != "down-";
            var setsDown = prefix != "up-";
            if (reader.Time(prefix + "latency", MaxDelay) is { } latency)
            {
                up = setsUp ? up with { Latency = latency } : up;
                down = setsDown ? down with { Latency = latency } : down;
            }

            if (reader.Time(prefix + "jitter", MaxDelay) is { } jitter)
            {
                up = setsUp ? up with { Jitter = jitter } : up;
                down = setsDown ? down with { Jitter = jitter } : down;
            }

            if (reader.BitRate(prefix + "bandwidth") is { } bits)
            {
                up = setsUp ? up with { BitsPerSecond = bits } : up;
                down = setsDown ? down with { BitsPerSecond = bits } : down;
            }

            if (reader.Share(prefix + "loss") is { } loss)
            {
                up = setsUp ? up with { Loss = loss } : up;
                down = setsDown ? down with { Loss = loss } : down;
            }
        }

        profile = profile with
        {
            Up = up,
            Down = down,
            Retransmit = reader.Time("retransmit", MaxDelay) ?? profile.Retransmit,
            Stall = reader.Stall("stall") ?? profile.Stall,
            ResetPerSecond = reader.PerSecond("reset") ?? profile.ResetPerSecond,
            ResetAfterBytes = reader.Size("reset-after", long.MaxValue) ?? profile.ResetAfterBytes,
            Slice = reader.Slice(profile.Slice),
            Seed = reader.Seed("seed") ?? profile.Seed,
        };
        error = reader.Error ?? string.Empty;
        return reader.Error is null;
    }

    // Reads each value once; the first bad one is kept as the error and later reads return null.
    private sealed class PairReader(Dictionary<string, string> pairs)
    {
        public string? Error { get; private set; }

        public TimeSpan? Time(string key, TimeSpan max) =>
            Read(key, text => ProfileUnits.TryParseTime(text, out var time) && time <= max ? time : (TimeSpan?)null,
                $"is not a time from 0 to {ProfileUnits.FormatTime(max)} such as 50ms, 1.5s or 200us");

        public long? BitRate(string key) =>
            Read(key, text => ProfileUnits.TryParseBitRate(text, out var bits) ? bits : (long?)null,
                "is not a rate such as 750kbit, 1.6mbit or 1gbit (bits per second, powers of 1000)");

        public double? Share(string key) =>
            Read(key, text => ProfileUnits.TryParseShare(text, out var share) ? share : (double?)null,
                "is not a share from 0 to below 100% such as 1% or 0.01");

        public double? PerSecond(string key) =>
            Read(key, text => ProfileUnits.TryParsePerSecond(text, out var rate) ? rate : (double?)null,
                "is not a rate of events such as 0.01/s, 2/m or 1/h");

        public long? Size(string key, long max) =>
            Read(key, text => ProfileUnits.TryParseSize(text, out var bytes) && bytes <= max ? bytes : (long?)null,
                $"is not a size from 1b to {ProfileUnits.FormatSize(max)} such as 100b, 16kb or 64kib");

        public long? Seed(string key) =>
            Read(key, text => long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seed) ? seed : (long?)null,
                "is not a whole number from 0 to 9223372036854775807");

        // "2s/60s": one outage every 60 s; "2s@1/m": outages begin at random, once a minute on average.
        public StallPlan? Stall(string key) => Read(key, text =>
        {
            var at = text.IndexOf('@', StringComparison.Ordinal);
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (at > 0 && ProfileUnits.TryParseTime(text[..at], out var randomLength) && randomLength > TimeSpan.Zero && randomLength <= TimeSpan.FromHours(1)
                && ProfileUnits.TryParsePerSecond(text[(at + 1)..], out var perSecond))
            {
                return new StallPlan(randomLength, null, perSecond);
            }

            return at < 0 && slash > 0 && ProfileUnits.TryParseTime(text[..slash], out var length) && ProfileUnits.TryParseTime(text[(slash + 1)..], out var every)
                && length > TimeSpan.Zero && every > length
                ? new StallPlan(length, every, 0)
                : null;
        }, "is not an outage such as 2s/60s (2 s every 60 s) or 2s@1/m (2 s, starting at random once a minute on average)");

        public SlicePlan? Slice(SlicePlan? start)
        {
            var average = Size("slice", 64 * 1024);
            var variation = Size("slice-variation", 64 * 1024);
            var delay = Time("slice-delay", TimeSpan.FromSeconds(10));
            if (Error is not null || (average is null && variation is null && delay is null))
            {
                return start;
            }

            var plan = start ?? (average is null ? null : new SlicePlan(1, 0, TimeSpan.Zero));
            if (plan is null)
            {
                Error = $"{(variation is null ? "slice-delay" : "slice-variation")}: needs slice=SIZE, the average piece";
                return start;
            }

            plan = plan with { AverageBytes = (int)(average ?? plan.AverageBytes), VariationBytes = (int)(variation ?? plan.VariationBytes), Delay = delay ?? plan.Delay };
            if (plan.VariationBytes >= plan.AverageBytes)
            {
                Error = $"slice-variation: {plan.VariationBytes} bytes must be below slice's {plan.AverageBytes}";
                return start;
            }

            return plan;
        }

        private T? Read<T>(string key, Func<string, T?> parse, string expected)
        {
            if (Error is not null || !pairs.TryGetValue(key, out var text))
            {
                return default;
            }

            var value = parse(text);
            if (value is null)
            {
                Error = $"{key}: '{text}' {expected}";
            }

            return value;
        }
    }
}
