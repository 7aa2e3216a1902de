using Perf.Cli.Load;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Metadata;
using Perf.Load.Os;
using Perf.Load.Processes;
using Perf.Load.Recording;
using Perf.Load.Targets.Echo;
using Perf.Results.Metadata;
using Perf.Results.Model;

namespace Perf.Cli.Metadata;

/// <summary>
/// One <c>perf metadata</c> mode, and the echo floor beside the modes, on <c>perf load</c>'s
/// engine: the target in its own process (pinned to <c>--target-cpus</c> when asked), driven by
/// <see cref="OpenLoopRunner"/> (its scheduler, recorders and CPU accounting), so a row's latency
/// and relay CPU per message read as <c>perf load</c>'s do.
/// </summary>
internal static class MetadataModeRun
{
    /// <summary>A fresh relay process with its own audit log, the workload through the engine, then the audit log read back once every accepted message is in it.</summary>
    public static async Task<(MetadataRow Row, IReadOnlyList<int> Logged)> RunAsync(MetadataMode mode, MetadataWorkloadOptions options, string folder, CpuSet? targetCpus, CpuSet? generatorCpus, CancellationToken cancellationToken)
    {
        var auditPath = Path.Combine(folder, $"audit-{mode.Name.Replace('+', '-')}.jsonl");
        File.Delete(auditPath);
        await using var relay = await RelayProcess.StartAsync(PerfChildCommand.StartInfo(), "aesgcm", "auto", targetCpus, cancellationToken, ["--audit-log", auditPath]).ConfigureAwait(false);
        LoadRunResult run;
        IReadOnlyList<byte[]> identities;
        IReadOnlyList<SentMessage> accepted;
        long acceptedCover, delivered, setups;
        await using (var target = new MetadataTarget(relay.TcpEndPoint, relay.RelayKey, mode, options))
        {
            run = await new OpenLoopRunner(MetadataTarget.Scenario(options, mode), relay.Process).RunAsync(target, null, cancellationToken).ConfigureAwait(false);
            await target.WaitForAnswersAsync(cancellationToken).ConfigureAwait(false);
            (identities, accepted, acceptedCover, delivered, setups) = (target.Identities, target.Accepted, target.AcceptedCover, target.Delivered, target.Setups);
        }

        GroundTruth.Write(Path.ChangeExtension(auditPath, null).Replace("audit-", "truth-", StringComparison.Ordinal) + ".json", identities, accepted);
        var trail = await ReadCompleteAsync(auditPath, accepted.Count + acceptedCover, cancellationToken).ConfigureAwait(false);
        var recorders = run.Recorders;
        var relayCpu = run.TargetUsage is { } usage ? (usage.CpuTime.TotalMicroseconds, usage.Messages) : (0, 0);
        var row = MetadataAnalysis.Compute(mode.Name, trail, accepted, identities, (recorders.Total(LoadStage.Seal), recorders.Total(LoadStage.Open), recorders.Total(LoadStage.EndToEnd)), relayCpu, delivered) with
        {
            Target = TargetUsageOf(relay.Process, run.TargetUsage),
            Generator = GeneratorUsageOf(generatorCpus, run.GeneratorUsage),
            GeneratorLagP99Us = P99(recorders.Total(LoadStage.GeneratorLag)),
            ConversationSetups = setups,
        };
        return (row, trail.Messages.ConvertAll(e => e.Bytes));
    }

    /// <summary>The echo floor: <c>perf echo</c> in its own process, the same connections, rate, warm-up and duration as the modes and their mean plaintext size.</summary>
    public static async Task<MetadataFloor> FloorAsync(MetadataWorkloadOptions options, CpuSet? targetCpus, CpuSet? generatorCpus, CancellationToken cancellationToken)
    {
        var scenario = MetadataTarget.Scenario(options, MetadataMode.All[0]) with { RatePerSecond = options.Rate };
        await using var echo = await EchoProcess.StartAsync(PerfChildCommand.StartInfo(), targetCpus, cancellationToken).ConfigureAwait(false);
        await using var target = new EchoTarget(echo.EndPoint);
        var run = await new OpenLoopRunner(scenario, echo.Process).RunAsync(target, null, cancellationToken).ConfigureAwait(false);
        var endToEnd = run.Recorders.Total(LoadStage.EndToEnd);
        return new MetadataFloor
        {
            Connections = scenario.Connections,
            RatePerSecond = scenario.RatePerSecond,
            MessageBytes = scenario.MessageSize,
            E2eP50Us = endToEnd.TotalCount == 0 ? 0 : endToEnd.GetValueAtPercentile(50),
            E2eP99Us = P99(endToEnd),
            Delivered = run.Recorders.Delivered,
            Target = TargetUsageOf(echo.Process, run.TargetUsage),
            Generator = GeneratorUsageOf(generatorCpus, run.GeneratorUsage),
        };
    }

    /// <summary>The rows with their end-to-end p99 over the floor's.</summary>
    public static List<MetadataRow> BesideFloor(IReadOnlyList<MetadataRow> rows, MetadataFloor floor) =>
        rows.Select(r => r with { E2eP99OverFloor = floor.E2eP99Us > 0 ? Math.Round(r.E2eP99Us / floor.E2eP99Us, 2) : null }).ToList();

    private static double P99(HdrHistogram.HistogramBase histogram) => histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(99);

    // The same fields as perf load's target section (no idle clients or storms here).
    private static TargetUsage? TargetUsageOf(ChildProcess process, ProcessUsage? usage) => usage is null ? null : new TargetUsage
    {
        Process = process.Name,
        Cpus = process.Cpus?.ToString(),
        CoresUsed = usage.Cores,
        CpuUsPerMessage = usage.CpuMicrosecondsPerMessage,
        ContextSwitchesPerMessage = usage.ContextSwitchesPerMessage,
    };

    private static GeneratorUsage? GeneratorUsageOf(CpuSet? cpus, ProcessUsage? usage) => usage is null ? null : new GeneratorUsage
    {
        Cpus = cpus?.ToString(),
        CoresUsed = usage.Cores,
        CpuUsPerMessage = usage.CpuMicrosecondsPerMessage,
        ContextSwitchesPerMessage = usage.ContextSwitchesPerMessage,
    };

    // The relay writes its log every 50 ms; wait (up to 5 s) until it holds every accepted message.
    private static async Task<AuditTrail> ReadCompleteAsync(string path, long accepted, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var trail = File.Exists(path) ? AuditTrail.Read(path) : new AuditTrail([], []);
            if (trail.Messages.Count >= accepted || DateTime.UtcNow > deadline)
            {
                return trail;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}
