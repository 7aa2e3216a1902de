using System.CommandLine;
using System.Globalization;
using Perf.Cli.Load;
using Perf.Load;
using Perf.Cli.Metadata;
using Perf.Load.Metadata;
using Perf.Load.Os;
using Perf.Load.Targets;
using Perf.Load.Targets.Relay;
using Perf.Results;
using Perf.Results.Files;
using Perf.Results.Metadata;
using Relay.Client;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf metadata</c>: the same mixed-size chat workload in six modes (plain, sealed sender and
/// conversation mailboxes, each unpadded and padded with Padmé) against a relay in its own process with <c>--audit-log</c>; from each
/// audit log it computes what the relay learned (senders, size classes, linkability by timing)
/// and beside it what hiding that cost (bytes, seal/open time, latency, relay CPU per message).
/// </summary>
internal static class MetadataCommand
{
    // Long because it declares the command's options and reads them back in one place, each
    // one line; the runs themselves are in MetadataModeRun and the workload, not here.
    public static Command Create()
    {
        var outDir = new Option<string?>("--out") { Description = "Folder for metadata.json, the audit logs and the report (default results/runs/<timestamp>-metadata/)." };
        var duration = new Option<string>("--duration") { Description = "Measured time per mode: 10s, 1m, 500ms.", DefaultValueFactory = _ => "10s" };
        var warmup = new Option<string>("--warmup") { Description = "Time before measuring, per mode (logged, not timed).", DefaultValueFactory = _ => "3s" };
        var rate = new Option<double>("--rate") { Description = "Total messages per second, replies included.", DefaultValueFactory = _ => 400 };
        var sizes = new Option<string>("--sizes") { Description = "Plaintext sizes: chat (default: a log-normal fitted to real chat messages), lognormal:MU,SIGMA, N or A-B.", DefaultValueFactory = _ => "chat" };
        var users = new Option<int>("--users") { Description = "Users on the ring; each talks with its two neighbours.", DefaultValueFactory = _ => 64 };
        var freshEvery = new Option<int>("--fresh-connection-every") { Description = "Timing defence: the sealed+fresh-connections mode moves each user's sealed sends to a new anonymous connection after this many (0: no such mode).", DefaultValueFactory = _ => 10 };
        var coverRate = new Option<double>("--cover-rate") { Description = "Timing defence: the sealed+cover mode adds this many cover messages per second across all users (0: no such mode).", DefaultValueFactory = _ => 100 };
        var targetCpus = new Option<string?>("--target-cpus") { Description = "Pin the relay processes (and the echo floor's) to these CPUs (Linux), e.g. 1 or 2-3, as perf load --target-cpus." };
        var generatorCpus = new Option<string?>("--generator-cpus") { Description = "Pin this generator process to these CPUs (Linux), e.g. 0, as perf load --generator-cpus." };
        var receiptDelay = new Option<string>("--receipt-delay") { Description = "Timing defence: the +receipt-delay modes send each delivery receipt after a random delay up to this (0: no such modes).", DefaultValueFactory = _ => "1s" };
        var command = new Command("metadata", "Measure what the relay learns (from its audit log) and what sealed sender, conversation mailboxes and padding cost, in six modes.")
        {
            outDir, duration, warmup, rate, sizes, users, receiptDelay, freshEvery, coverRate, targetCpus, generatorCpus,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            MetadataWorkloadOptions options;
            string? problem = null;
            if (!PlacementArguments.TryCpus(parseResult.GetValue(targetCpus), "--target-cpus", out var pinTarget, ref problem)
                || !PlacementArguments.TryCpus(parseResult.GetValue(generatorCpus), "--generator-cpus", out var pinGenerator, ref problem))
            {
                await error.WriteLineAsync($"perf metadata: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            try
            {
                if (!DurationText.TryParse(parseResult.GetValue(duration), out var measured) || !DurationText.TryParse(parseResult.GetValue(warmup), out var warm))
                {
                    throw new ArgumentException("--duration and --warmup take a time such as 10s, 1m or 500ms");
                }

                var delayText = parseResult.GetValue(receiptDelay)!;
                var delay = TimeSpan.Zero;
                if (delayText != "0" && !DurationText.TryParse(delayText, out delay))
                {
                    throw new ArgumentException("--receipt-delay takes a time such as 1s or 500ms, or 0");
                }

                options = new MetadataWorkloadOptions
                {
                    Users = parseResult.GetValue(users),
                    Rate = parseResult.GetValue(rate),
                    Duration = measured,
                    Warmup = warm,
                    Sizes = MessageSizeDistribution.Parse(parseResult.GetValue(sizes)!),
                    ReceiptDelay = delay,
                    FreshConnectionEvery = parseResult.GetValue(freshEvery),
                    CoverRate = parseResult.GetValue(coverRate),
                };
                options.Validate();
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                await error.WriteLineAsync($"perf metadata: {ex.Message}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var folder = parseResult.GetValue(outDir) is { } chosen ? Path.GetFullPath(chosen) : RunFolder.Create(ResultsLocation.Root(), "metadata");
            if (!await TryCreateFolderAsync(folder, error).ConfigureAwait(false))
            {
                return PerfCommandLine.BadInput;
            }

            var workload = string.Create(CultureInfo.InvariantCulture,
                $"{options.Users} users on a ring (two contacts each), {options.Rate} msgs/s total (texts and their delivery receipts), {options.Duration.TotalSeconds} s after {options.Warmup.TotalSeconds} s warm-up, text sizes {options.Sizes.Name}, every text receipted at once (in the +receipt-delay modes after a random delay up to {options.ReceiptDelay.TotalMilliseconds} ms; in sealed+fresh-connections a new anonymous connection every {options.FreshConnectionEvery} sends; in sealed+cover {options.CoverRate} cover msgs/s more), answered with probability {options.ReplyProbability} after a mean {options.MeanReplyDelay.TotalMilliseconds} ms; relay in its own process (perf relay --audit-log), Noise/TCP, AES-256-GCM; driven by perf load's engine (one connection per user, Poisson starts, receipts and replies as follow-ups), beside the echo floor at the same rate and connections");
            await output.WriteLineAsync($"metadata: {workload}").ConfigureAwait(false);
            if (pinGenerator is not null)
            {
                CpuAffinity.PinCurrentProcess(pinGenerator);
            }

            var rows = new List<MetadataRow>();
            var loggedSizes = new Dictionary<string, IReadOnlyList<int>>();
            MetadataFloor floor;
            try
            {
                floor = await RunModesAsync(options, folder, (pinTarget, pinGenerator), rows, loggedSizes, output, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is LoadTargetException or RelayClientException or BadInputException)
            {
                await error.WriteLineAsync($"perf metadata: {ex.Message}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var result = new MetadataResult { Rows = MetadataModeRun.BesideFloor(MetadataAnalysis.WithAddedLatency(rows), floor), Floor = floor, Command = CommandLineText.Redacted(LoadCommand.TokenValues(parseResult)), Workload = workload };
            result.Write(Path.Combine(folder, "metadata.json"));
            MetadataReport.Write(folder, result, loggedSizes);
            await output.WriteLineAsync($"result: {Path.Combine(folder, "metadata.json")}").ConfigureAwait(false);
            return PerfCommandLine.Ok;
        });
        return command;
    }

    // The run folder, or one line saying why it cannot be made.
    private static async Task<bool> TryCreateFolderAsync(string folder, TextWriter error)
    {
        try
        {
            Directory.CreateDirectory(folder);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"perf metadata: --out: cannot create {folder}: {ex.Message}").ConfigureAwait(false);
            return false;
        }
    }

    // The floor, then every mode in turn, each row printed as it comes.
    private static async Task<MetadataFloor> RunModesAsync(MetadataWorkloadOptions options, string folder, (CpuSet? Target, CpuSet? Generator) cpus, List<MetadataRow> rows, Dictionary<string, IReadOnlyList<int>> loggedSizes, TextWriter output, CancellationToken cancellationToken)
    {
        var floor = await MetadataModeRun.FloorAsync(options, cpus.Target, cpus.Generator, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  {"echo (floor)",-28} {floor.RatePerSecond} msgs/s of {floor.MessageBytes} B, e2e p50 {floor.E2eP50Us} µs, p99 {floor.E2eP99Us} µs, echo {floor.Target?.CpuUsPerMessage:0.0} µs CPU/msg{Pinned(floor.Target?.Cpus)}")).ConfigureAwait(false);
        foreach (var mode in MetadataMode.For(options))
        {
            var (row, logged) = await MetadataModeRun.RunAsync(mode, options, folder, cpus.Target, cpus.Generator, cancellationToken).ConfigureAwait(false);
            rows.Add(row);
            loggedSizes[mode.Name] = logged;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {mode.Name,-28} messages {row.Messages}, unlogged {row.Unlogged}, set-ups {row.ConversationSetups}, sender known {row.SenderKnownFraction:0.###}, recipient known {row.RecipientKnownFraction:0.###}, online identities {row.OnlineIdentitiesVisible}, size classes {row.SizeClasses}, linkability {row.Linkability:0.###}, overhead {row.BytesOverheadPerMessage:0} B, seal p50 {row.SealUsP50} µs, open p50 {row.OpenUsP50} µs, e2e p99 {row.E2eP99Us} µs ({row.E2eP99Us / Math.Max(1, floor.E2eP99Us):0.0}x the floor), relay {row.RelayCpuUsPerMessage} µs CPU/msg, {row.Target?.CoresUsed:0.00} cores, {row.Target?.ContextSwitchesPerMessage:0.00} context switches/msg{Pinned(row.Target?.Cpus)}")).ConfigureAwait(false);
        }

        return floor;
    }

    private static string Pinned(string? cpus) => cpus is null ? "" : $" (CPUs {cpus})";
}
