namespace Perf.Results.Model;

/// <summary>A search for the highest arrival rate that still meets a latency SLO.</summary>
public sealed record FindMax
{
    /// <summary>The SLO every step was judged against.</summary>
    public required Slo Slo { get; init; }

    /// <summary>The rates tried, in the order they were run.</summary>
    public required IReadOnlyList<FindMaxStep> Steps { get; init; }

    /// <summary>The highest offered rate (messages/s) that passed.</summary>
    public required double MaxSustainableRate { get; init; }

    /// <summary>Why the search stopped, when recorded.</summary>
    public string? StopReason { get; init; }

    /// <summary>
    /// Whether the search stopped at the load generator's limit rather than the target's: the
    /// maximum is then a lower bound, and the target was never saturated.
    /// </summary>
    public bool? GeneratorBound { get; init; }
}

/// <summary>One rate tried during a find-max search.</summary>
public sealed record FindMaxStep
{
    /// <summary>Offered rate, messages/s.</summary>
    public required double Rate { get; init; }

    /// <summary>Achieved delivery rate, messages/s.</summary>
    public required double DeliveredRate { get; init; }

    /// <summary>End-to-end median, µs.</summary>
    public required double P50Us { get; init; }

    /// <summary>End-to-end 99th percentile, µs.</summary>
    public required double P99Us { get; init; }

    /// <summary>End-to-end 99.9th percentile, µs.</summary>
    public required double P999Us { get; init; }

    /// <summary>Whether the step met the SLO (and delivered what was offered).</summary>
    public required bool Passed { get; init; }

    /// <summary>Why a failed step failed (SLO, delivery, loss, the generator's own lag).</summary>
    public string? Reason { get; init; }

    /// <summary>Cores the target process used over the step's measured window, when it ran in its own process.</summary>
    public double? TargetCores { get; init; }

    /// <summary>The target process's CPU µs per delivered message in the step.</summary>
    public double? TargetCpuUsPerMessage { get; init; }

    /// <summary>Cores the relay used during the step, as older files recorded it (read, never written).</summary>
    public double? RelayCores { get; init; }

    /// <summary>The target's cores in this step, from either field.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double? Cores => TargetCores ?? RelayCores;
}

/// <summary>A latency objective: a percentile of end-to-end latency at or below a threshold.</summary>
public sealed record Slo
{
    /// <summary>Percentile name: <c>p50</c>, <c>p90</c>, <c>p99</c>, <c>p999</c> or <c>p9999</c>.</summary>
    public required string Percentile { get; init; }

    /// <summary>Upper bound in microseconds.</summary>
    public required double ThresholdUs { get; init; }

    /// <summary>The percentile as a number: <c>p999</c> is 99.9.</summary>
    /// <exception cref="BadInputException">When <see cref="Percentile"/> is not a known name.</exception>
    public double PercentileRank() => Percentile switch
    {
        "p50" => 50,
        "p90" => 90,
        "p99" => 99,
        "p999" => 99.9,
        "p9999" => 99.99,
        _ => throw new BadInputException($"unknown SLO percentile '{Percentile}' (use p50, p90, p99, p999 or p9999)"),
    };

    /// <summary>True when meeting this SLO implies meeting <paramref name="other"/>: same or higher percentile, same or lower bound.</summary>
    public bool IsAtLeastAsStrictAs(Slo other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return PercentileRank() >= other.PercentileRank() && ThresholdUs <= other.ThresholdUs;
    }

    /// <summary>Parses <c>p99=50ms</c> (units <c>us</c>, <c>ms</c>, <c>s</c>).</summary>
    /// <exception cref="BadInputException">When the text is not of that form or the bound is not positive.</exception>
    public static Slo Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('=', 2, StringSplitOptions.TrimEntries);
        string error = $"--slo: '{text}' is not of the form p99=50ms (percentile p50|p90|p99|p999|p9999, unit us|ms|s, positive)";
        if (parts.Length != 2) throw new BadInputException(error);
        (string number, double scale) = parts[1] switch
        {
            var v when v.EndsWith("us", StringComparison.Ordinal) => (v[..^2], 1.0),
            var v when v.EndsWith("ms", StringComparison.Ordinal) => (v[..^2], 1_000.0),
            var v when v.EndsWith('s') => (v[..^1], 1_000_000.0),
            _ => ("", 0.0),
        };
        if (!double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value) || value <= 0)
        {
            throw new BadInputException(error);
        }

        var slo = new Slo { Percentile = parts[0].ToLowerInvariant(), ThresholdUs = value * scale };
        try
        {
            slo.PercentileRank();
        }
        catch (BadInputException)
        {
            throw new BadInputException(error);
        }

        return slo;
    }

    /// <summary>Formats as <c>p99=50000us</c>.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Percentile}={ThresholdUs}us");
}

/// <summary>What the relay used during the run, as files before the <c>target</c> section recorded it.</summary>
public sealed record RelayUsage
{
    /// <summary>Relay memory per open connection, bytes (working set growth divided by connections).</summary>
    public required double MemoryPerConnectionBytes { get; init; }

    /// <summary>CPU cores the relay used at the maximum sustainable rate (CPU time / wall time).</summary>
    public required double CoresUsed { get; init; }
}
