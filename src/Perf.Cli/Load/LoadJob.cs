using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Results;
using Perf.Results.Files;
using Perf.Results.Model;
using Relay.Crypto.Aead;

namespace Perf.Cli.Load;

/// <summary>One target's part of a load command: open it, run (or search), write the result folder.</summary>
internal static class LoadJob
{
    /// <summary>Idle connections opened to measure a relay process's memory per connection, unless told otherwise.</summary>
    public const int DefaultIdleConnections = 1000;

    /// <summary>Runs <paramref name="scenario"/> against <paramref name="targetName"/> and writes a run folder under <paramref name="resultsParent"/>.</summary>
    /// <param name="targetName">A target as <c>--target</c> takes it.</param>
    /// <param name="scenario">The scenario.</param>
    /// <param name="options">Target options.</param>
    /// <param name="search">The SLO and steps of a saturation search, or <c>null</c> for one run.</param>
    /// <param name="idleConnections">Idle connections opened to measure a relay process's memory per connection.</param>
    /// <param name="commandLine">The redacted command line for the result file.</param>
    /// <param name="environment">The environment for the result file.</param>
    /// <param name="resultsParent">The folder that gets the run folder (<c>results/</c>, or a quick run's folder).</param>
    /// <param name="output">Where progress goes.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static async Task<(LoadRunResult Run, string ResultPath)> RunAsync(
        string targetName,
        LoadScenario scenario,
        LoadTargetOptions options,
        (Slo Slo, SaturationOptions Steps)? search,
        int idleConnections,
        string commandLine,
        EnvironmentInfo environment,
        string resultsParent,
        TextWriter output,
        CancellationToken cancellationToken)
    {
        await using var handle = await LoadTargetFactory.OpenAsync(targetName, options, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"load {handle.Description}: {scenario.Connections} connections, {scenario.RatePerSecond} msgs/s, {scenario.MessageSize} B, {scenario.Duration.TotalSeconds}s after {scenario.Warmup.TotalSeconds}s warm-up").ConfigureAwait(false);
        LoadRunResult run;
        SaturationResult? saturation = null;
        double? cores;
        if (search is { } s)
        {
            saturation = await FindMaxAsync(handle, scenario, s.Slo, s.Steps, output, cancellationToken).ConfigureAwait(false);
            (run, cores) = BestRun(saturation);
        }
        else
        {
            var view = new LoadProgressView(output, LoadProgressView.CanRunLive(output));
            await using var target = handle.NewTarget();
            (run, cores) = await handle.Relay.MeasureCoresAsync(() => view.RunAsync(handle.Description, p => new OpenLoopRunner(scenario).RunAsync(target, p, cancellationToken))).ConfigureAwait(false);
        }

        var usage = await MeasureRelayAsync(handle, cores, idleConnections, options, output, cancellationToken).ConfigureAwait(false);
        var result = LoadResultFiles.ToResult(run, commandLine, options.Cipher, options.Backend, environment, saturation, usage);
        var folder = RunFolder.Create(resultsParent, $"load-{handle.Name}");
        return (run, LoadResultFiles.Write(folder, result, run));
    }

    private static async Task<SaturationResult> FindMaxAsync(TargetHandle handle, LoadScenario scenario, Slo objective, SaturationOptions steps, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"find-max: SLO {objective.Percentile} <= {objective.ThresholdUs} us, steps of {steps.StepDuration.TotalSeconds}s from {scenario.RatePerSecond} msgs/s x{steps.GrowthFactor}").ConfigureAwait(false);
        var progress = new Progress<SaturationStep>(step => output.WriteLine(
            $"  step {step.OfferedRate:F0} msgs/s: delivered {step.DeliveredRate:F0}/s p50={step.P50}us p99={step.P99}us p99.9={step.P999}us{(step.TargetCores is { } cores ? $" relay {cores:F2} cores" : "")} {(step.Passed ? "ok" : "FAIL: " + step.Reason)}"));
        var result = await new SaturationSearch(scenario, objective, steps).RunAsync(_ => Task.FromResult(handle.NewTarget()), progress, cancellationToken, handle.Relay).ConfigureAwait(false);
        await output.WriteLineAsync($"find-max: highest sustainable rate {result.MaxSustainableRate:F0} msgs/s ({result.StopReason})").ConfigureAwait(false);
        return result;
    }

    // The relay's cores at the measured rate, and its memory per idle connection measured in a
    // fresh relay process (one that just carried load has free heap that hides the growth).
    private static async Task<RelayUsage?> MeasureRelayAsync(TargetHandle handle, double? cores, int idleConnections, LoadTargetOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        if (handle.Relay is null || cores is not > 0)
        {
            return null;
        }

        await output.WriteLineAsync($"relay usage: a fresh relay process, {idleConnections} then {2 * idleConnections} idle connections, for memory per connection").ConfigureAwait(false);
        await using var fresh = await LoadTargetFactory.StartRelayProcessAsync(options, cancellationToken).ConfigureAwait(false);
        var perConnection = await fresh.MeasureMemoryPerConnectionAsync(
            idleConnections, handle.Name == "relay-ws", AeadAlgorithm.Parse(options.Cipher), AeadBackend.Parse(options.Backend), cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"relay usage: {cores:F2} cores at the measured rate, {perConnection / 1024:F1} KiB resident per idle connection").ConfigureAwait(false);
        return new RelayUsage { CoresUsed = cores.Value, MemoryPerConnectionBytes = perConnection };
    }

    // The result file describes the best passing step, or the first step when none passed.
    private static (LoadRunResult Run, double? Cores) BestRun(SaturationResult search)
    {
        SaturationStep? best = null;
        foreach (var step in search.Steps)
        {
            if (step.Passed && (best is null || step.OfferedRate > best.OfferedRate))
            {
                best = step;
            }
        }

        best ??= search.Steps[0];
        return (best.Run, best.TargetCores);
    }
}
