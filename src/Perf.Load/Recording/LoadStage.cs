namespace Perf.Load.Recording;

/// <summary>The latencies a load run records, each into its own HdrHistogram (microseconds).</summary>
public enum LoadStage
{
    /// <summary>E2E seal of one message at the sender (<c>seal_us</c>).</summary>
    Seal,

    /// <summary>Send handed to the transport (flush issued) until the frame arrived at the recipient (<c>forward_us</c>).</summary>
    Forward,

    /// <summary>E2E open of one message at the recipient (<c>open_us</c>).</summary>
    Open,

    /// <summary>Intended send time until the plaintext is opened at the recipient (<c>end_to_end_us</c>).</summary>
    EndToEnd,

    /// <summary>How late the generator started a send against its own schedule (<c>generator_lag_us</c>).</summary>
    GeneratorLag,
}

/// <summary>Names of the stages as result files spell them.</summary>
public static class LoadStageNames
{
    /// <summary>Every stage in a stable order.</summary>
    public static IReadOnlyList<LoadStage> All { get; } = [LoadStage.Seal, LoadStage.Forward, LoadStage.Open, LoadStage.EndToEnd, LoadStage.GeneratorLag];

    /// <summary>The metric name of <paramref name="stage"/>, e.g. <c>end_to_end_us</c>.</summary>
    public static string MetricName(LoadStage stage) => stage switch
    {
        LoadStage.Seal => "seal_us",
        LoadStage.Forward => "forward_us",
        LoadStage.Open => "open_us",
        LoadStage.EndToEnd => "end_to_end_us",
        LoadStage.GeneratorLag => "generator_lag_us",
        _ => throw new ArgumentOutOfRangeException(nameof(stage)),
    };
}
