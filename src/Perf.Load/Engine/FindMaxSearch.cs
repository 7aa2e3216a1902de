using Perf.Load.Recording;
using Perf.Load.Targets;
using Perf.Results.Model;

namespace Perf.Load.Engine;

/// <summary>
/// Finds the highest arrival rate a target sustains within a latency objective: runs short
/// open-loop steps at rising rates until a step breaks the SLO, falls behind on delivery, or
/// loses messages, then bisects between the last good and first bad rate. Every step is kept,
/// which is the throughput-latency curve. A step where the generator itself could not keep
/// its schedule stops the search and says so, so the generator's limit is never reported as
/// the target's.
/// </summary>
public sealed class FindMaxSearch
{
    /// <summary>Delivered rate, as a fraction of offered, below which a step has fallen behind.</summary>
    public const double MinDeliveredFraction = 0.97;

    /// <summary>Generator lag p99 above which the generator, not the target, is the bottleneck.</summary>
    public const long GeneratorBoundLagMicroseconds = 5_000;

    private readonly LoadScenario _template;
    private readonly Slo _slo;
    private readonly FindMaxOptions _options;

    /// <summary>Creates a search from a scenario (its rate is the first step) and an SLO.</summary>
    public FindMaxSearch(LoadScenario template, Slo slo, FindMaxOptions options)
    {
        _template = template ?? throw new ArgumentNullException(nameof(template));
        _slo = slo ?? throw new ArgumentNullException(nameof(slo));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.GrowthFactor <= 1 || options.MaxSteps < 1 || options.Refinements < 0)
        {
            throw new ArgumentException("growth factor must exceed 1, steps must be at least 1, refinements at least 0.", nameof(options));
        }
    }

    /// <summary>
    /// Runs the search; <paramref name="connect"/> gives a fresh target for each step (the caller's
    /// factory disposes nothing: the search does). With <paramref name="resources"/> (a target in its
    /// own process) each step also records the target's cores and CPU per message.
    /// </summary>
    public async Task<FindMaxSearchResult> RunAsync(Func<CancellationToken, Task<ILoadTarget>> connect, IProgress<FindMaxSearchStep>? stepDone, CancellationToken cancellationToken, IProcessResources? resources = null)
    {
        ArgumentNullException.ThrowIfNull(connect);
        var steps = new List<FindMaxSearchStep>();
        FindMaxSearchStep? best = null;
        FindMaxSearchStep? firstBad = null;
        var rate = _template.RatePerSecond;
        if (_options.WarmUpStep)
        {
            // One discarded step first: a fresh process (JIT, tiering, pools) would otherwise judge the first rate cold.
            await RunStepAsync(connect, rate, null, [], resources, cancellationToken).ConfigureAwait(false);
        }

        for (var i = 0; i < _options.MaxSteps && !cancellationToken.IsCancellationRequested; i++)
        {
            var step = await RunStepAsync(connect, rate, stepDone, steps, resources, cancellationToken).ConfigureAwait(false);
            if (!step.Passed)
            {
                firstBad = step;
                break;
            }

            best = step;
            rate *= _options.GrowthFactor;
        }

        for (var i = 0; i < _options.Refinements && best is not null && firstBad is { GeneratorBound: false } && !cancellationToken.IsCancellationRequested; i++)
        {
            var step = await RunStepAsync(connect, (best.OfferedRate + firstBad.OfferedRate) / 2, stepDone, steps, resources, cancellationToken).ConfigureAwait(false);
            if (step.Passed)
            {
                best = step;
            }
            else
            {
                firstBad = step;
            }
        }

        return new FindMaxSearchResult(_slo, steps, best?.OfferedRate ?? 0, firstBad?.Reason ?? "the highest step still met the SLO: raise --rate or the step count", firstBad?.GeneratorBound ?? false);
    }

    private async Task<FindMaxSearchStep> RunStepAsync(Func<CancellationToken, Task<ILoadTarget>> connect, double rate, IProgress<FindMaxSearchStep>? stepDone, List<FindMaxSearchStep> steps, IProcessResources? resources, CancellationToken cancellationToken)
    {
        var scenario = _template with { RatePerSecond = rate, Duration = _options.StepDuration, Warmup = _options.StepWarmup };
        var target = await connect(cancellationToken).ConfigureAwait(false);
        LoadRunResult run;
        await using (target.ConfigureAwait(false))
        {
            run = await new OpenLoopRunner(scenario, resources).RunAsync(target, null, cancellationToken).ConfigureAwait(false);
        }

        var step = Judge(rate, run, _slo);
        steps.Add(step);
        stepDone?.Report(step);
        return step;
    }

    /// <summary>Whether a step at <paramref name="rate"/> met <paramref name="slo"/>, and if not why: pure, so it is tested on constructed recordings.</summary>
    internal static FindMaxSearchStep Judge(double rate, LoadRunResult run, Slo slo)
    {
        var endToEnd = run.Recorders.Total(LoadStage.EndToEnd);
        var lag = run.Recorders.Total(LoadStage.GeneratorLag);
        long P(double percentile) => endToEnd.TotalCount == 0 ? 0 : endToEnd.GetValueAtPercentile(percentile);
        var percentile = slo.PercentileRank();
        var observed = P(percentile);
        var lagP99 = lag.TotalCount == 0 ? 0 : lag.GetValueAtPercentile(99);
        var delivered = run.ThroughputPerSecond;
        string? reason = null;
        var generatorBound = false;
        if (lagP99 > GeneratorBoundLagMicroseconds)
        {
            generatorBound = true;
            reason = $"the generator fell behind its own schedule (lag p99 {lagP99} µs): this machine cannot offer {rate:F0} msgs/s; the target's limit is not measured";
        }
        else if (run.Lost > 0 || run.Recorders.Rejected > 0)
        {
            reason = $"{run.Lost} lost and {run.Recorders.Rejected} rejected at {rate:F0} msgs/s";
        }
        else if (delivered < rate * MinDeliveredFraction)
        {
            reason = $"delivered {delivered:F0} msgs/s of {rate:F0} offered";
        }
        else if (observed > slo.ThresholdUs)
        {
            reason = $"{slo.Percentile} {observed} µs over the {slo.ThresholdUs} µs limit at {rate:F0} msgs/s";
        }

        return new FindMaxSearchStep(rate, delivered, P(50), P(99), P(99.9), observed, lagP99, run.Lost, run.Recorders.Rejected, reason is null, generatorBound, reason, run);
    }
}

/// <summary>How the search steps.</summary>
/// <param name="StepDuration">Measured time of each step.</param>
/// <param name="StepWarmup">Warm-up of each step.</param>
/// <param name="GrowthFactor">Rate multiplier between steps (above 1).</param>
/// <param name="MaxSteps">Most rising steps before stopping.</param>
/// <param name="Refinements">Bisection steps between the last good and first bad rate.</param>
/// <param name="WarmUpStep">Run one discarded step at the starting rate before the search.</param>
public sealed record FindMaxOptions(TimeSpan StepDuration, TimeSpan StepWarmup, double GrowthFactor = 1.5, int MaxSteps = 12, int Refinements = 2, bool WarmUpStep = true);

/// <summary>One step of the search: one point of the throughput-latency curve (latencies in microseconds).</summary>
/// <param name="OfferedRate">Scheduled messages per second.</param>
/// <param name="DeliveredRate">Delivered messages per second.</param>
/// <param name="P50">End-to-end p50.</param>
/// <param name="P99">End-to-end p99.</param>
/// <param name="P999">End-to-end p99.9.</param>
/// <param name="SloObserved">End-to-end latency at the SLO's percentile.</param>
/// <param name="GeneratorLagP99">The generator's own lag p99.</param>
/// <param name="Lost">Messages lost.</param>
/// <param name="Rejected">Messages rejected.</param>
/// <param name="Passed">Whether the step met the SLO with nothing lost and delivery keeping up.</param>
/// <param name="GeneratorBound">Whether the generator, not the target, failed the step.</param>
/// <param name="Reason">Why the step failed, or <c>null</c>.</param>
/// <param name="Run">The step's full recording.</param>
public sealed record FindMaxSearchStep(
    double OfferedRate,
    double DeliveredRate,
    long P50,
    long P99,
    long P999,
    long SloObserved,
    long GeneratorLagP99,
    long Lost,
    long Rejected,
    bool Passed,
    bool GeneratorBound,
    string? Reason,
    LoadRunResult Run)
{
    /// <summary>Cores the target process used over the step's measured window, when it runs in its own process.</summary>
    public double? TargetCores => Run.TargetUsage?.Cores;

    /// <summary>The target process's CPU microseconds per delivered message over the step's measured window.</summary>
    public double? TargetCpuMicrosecondsPerMessage => Run.TargetUsage?.CpuMicrosecondsPerMessage;
}

/// <summary>The search's outcome.</summary>
/// <param name="Slo">The objective.</param>
/// <param name="Steps">Every step in the order run.</param>
/// <param name="MaxSustainableRate">Highest offered rate that passed (0 when none did).</param>
/// <param name="StopReason">Why the search stopped.</param>
/// <param name="GeneratorBound">Whether the stop was the generator's limit rather than the target's.</param>
public sealed record FindMaxSearchResult(Slo Slo, IReadOnlyList<FindMaxSearchStep> Steps, double MaxSustainableRate, string StopReason, bool GeneratorBound);
