using System.CommandLine;
using Perf.Cli.Load;
using Perf.Cli.Options;
using Perf.Load.Engine;
using Perf.Load.Shards;
using Perf.Load.Targets;
using Perf.Results.Files;
using Perf.Results.Model;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf load</c>: an open-loop load run against one target, or several in a row with
/// <c>--targets a,b,c</c> so their figures come from the same machine state.
/// </summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        // The options by concern, in --help order: a new option goes into its group.
        var arguments = new LoadArguments(
            Targets: new LoadTargetArguments(),      // --target, --targets
            Scenario: new ScenarioArguments(),       // --connections, --rate, --size, --duration, --warmup, --arrival
            RelayAccess: new RelayAccessArguments(), // --relay-key, --ws-secret
            Cipher: new CipherArguments("aesgcm or chachapoly.", "auto, sodium, openssl or libcrypto."), // --cipher, --backend
            Output: new ResultOutputArguments(),     // --out
            FindMax: new FindMaxArguments(),         // --find-max, --slo, --step-duration
            RelayMode: new RelayModeArguments(),     // --sealed-sender, --padding
            Store: new TargetStoreArguments(),       // --store
            Placement: new PlacementArguments(),     // --target-process, --target-cpus, --generator-cpus, --idle-connections, --reconnect-storm
            HandshakeFlood: new HandshakeFloodArguments(), // --handshake-flood, --handshake-flood-kind, --handshake-flood-baseline, --handshake-flood-pairs, --handshake-flood-cpus
            Network: new NetworkArguments(),         // --network
            Behaviours: new ClientBehaviourArguments(), // --churn, --churn-away, --slow-consumers, --slow-consumer-rate, --vanishing
            Soak: new SoakArguments(),               // --soak, --soak-rss-slope, --soak-p99-ratio, --soak-warmup, --series-interval
            Cluster: new ClusterArguments(),         // --relay-nodes, --nats-nodes, --transport, --nats-cpus, --fault, --fault-schedule, --fault-seed
            Shards: new ShardArguments());           // --shard, --start-at, --generators, --result-stdout
        var command = new Command("load", "Open-loop load: fixed arrival rate, latency from intended send time, HdrHistogram recording.")
            .WithOptions(arguments.Groups);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!arguments.TryRead(parseResult, out var request, out var problem))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"perf load: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            return await RunAsync(request!, parseResult, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    internal static List<string> TokenValues(ParseResult parseResult)
    {
        var values = new List<string>(parseResult.Tokens.Count);
        foreach (var token in parseResult.Tokens)
        {
            values.Add(token.Value);
        }

        return values;
    }

    // Copies the result where --out asks, names it, and prints it between markers for --result-stdout.
    private static async Task FinishAsync(LoadRequest request, string path, TextWriter output)
    {
        if (request.OutPath is not null)
        {
            File.Copy(path, request.OutPath, overwrite: true);
        }

        await output.WriteLineAsync($"result: {path}").ConfigureAwait(false);
        if (request.Shards.ResultStdout)
        {
            await output.WriteLineAsync(Perf.Load.K6.K6ResultExtractor.Begin).ConfigureAwait(false);
            await output.WriteLineAsync((await File.ReadAllTextAsync(path).ConfigureAwait(false)).TrimEnd()).ConfigureAwait(false);
            await output.WriteLineAsync(Perf.Load.K6.K6ResultExtractor.End).ConfigureAwait(false);
        }
    }

    // Runs every target in turn (with --repeat, round after round, echo first in each) into one
    // run folder, then prints the summary and, for several runs, the table beside the floor.
    private static async Task<int> RunAsync(LoadRequest request, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var options = request.Target;
        request.Placement.Apply();
        var commandLine = CommandLineText.Redacted(TokenValues(parseResult));
        var environment = EnvironmentInfo.Capture(options.Backend, options.Cipher, Perf.Vectors.VectorDirectory.FindRepoRoot());
        var runs = new List<(string Label, LoadRunResult Run)>();
        var written = new List<PerfResult>();
        var console = LoadSummaryTable.Console(output);
        var extras = request.Shards.Shard is { } shard
            ? request.Extras with { Shard = new ShardRun(shard, request.Shards.StartAt is { } at ? ShardStart.At(at) : ShardStart.FromReader(output, Console.In)) }
            : request.Extras;
        var together = request.Targets.Length > 1 || request.Repeat > 1;
        var folder = together ? RunFolder.Create(ResultsLocation.Root(), FolderName(request)) : ResultsLocation.Root();
        try
        {
            for (var round = 1; round <= request.Repeat; round++)
            {
                var parent = request.Repeat > 1 ? Path.Combine(folder, $"round-{round}") : folder;
                foreach (var name in LoadTargetArguments.RoundOrder(request.Targets))
                {
                    if (request.Shards.Generators > 0)
                    {
                        // One target, one round (the shard options refuse more): the shards' merged run.
                        var merged = await GeneratorsJob.RunAsync(name, request, commandLine, environment, parent, output, cancellationToken).ConfigureAwait(false);
                        await FinishAsync(request, merged.ResultPath, output).ConfigureAwait(false);
                        return merged.Failed ? PerfCommandLine.Failed : PerfCommandLine.Ok;
                    }

                    var (run, path, result) = ClusterArguments.IsAnyCluster(name)
                        ? await ClusterLoadJob.RunAsync(name, request.Cluster!, request.Scenario, options, extras, commandLine, environment, parent, output, cancellationToken).ConfigureAwait(false)
                        : await LoadJob.RunAsync(name, request.Scenario, options, extras, commandLine, environment, parent, output, cancellationToken).ConfigureAwait(false);
                    runs.Add((request.Repeat > 1 ? $"{run.Target} #{round}" : run.Target, run));
                    written.Add(result);
                    await FinishAsync(request, path, output).ConfigureAwait(false);
                }
            }
        }
        catch (LoadTargetException ex)
        {
            await parseResult.InvocationConfiguration.Error.WriteLineAsync($"perf load: {ex.Message}").ConfigureAwait(false);
            return PerfCommandLine.BadInput;
        }

        LoadSummaryTable.Write(console, runs);
        if (together)
        {
            FloorTable.Write(console, written);
            await output.WriteLineAsync($"run folder: {folder} (perf report {folder})").ConfigureAwait(false);
        }

        return await SoakVerdictLines.WriteAsync(output, written).ConfigureAwait(false) ? PerfCommandLine.Ok : PerfCommandLine.Failed;
    }

    // "load-echo-relay-tcp-nats-x3": the targets, and the rounds when repeated.
    private static string FolderName(LoadRequest request) =>
        $"load-{string.Join('-', request.Targets)}{(request.Repeat > 1 ? $"-x{request.Repeat}" : "")}";
}
