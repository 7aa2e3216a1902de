using System.CommandLine;
using Perf.Cli.Load;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Impairment;
using Perf.Load.Results;
using Perf.Load.Targets;
using Perf.Results;
using Perf.Results.Files;
using Perf.Results.Model;
using Spectre.Console;
using Relay.Crypto.Aead;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf load</c>: an open-loop load run against one target, or several in a row with
/// <c>--targets a,b,c</c> so their figures come from the same machine state.
/// </summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var target = new Option<string?>("--target") { Description = "SCHEME://HOST:PORT (relay-tcp, relay-ws, nats, echo), a bare name to start that target embedded, or relay-cluster (NATS cluster and relay nodes as processes)." };
        var targets = new Option<string?>("--targets") { Description = "Comma-separated targets run one after another with the same scenario." };
        var connections = new Option<int>("--connections") { Description = "Client connections.", DefaultValueFactory = _ => 10 };
        var rate = new Option<double>("--rate") { Description = "Total arrival rate, messages per second.", DefaultValueFactory = _ => 1000 };
        var size = new Option<int>("--size") { Description = "Plaintext message size in bytes.", DefaultValueFactory = _ => 256 };
        var duration = new Option<string>("--duration") { Description = "Measured time: 30s, 2m, 500ms.", DefaultValueFactory = _ => "30s" };
        var warmup = new Option<string>("--warmup") { Description = "Warm-up before measuring.", DefaultValueFactory = _ => "5s" };
        var arrival = new Option<string>("--arrival") { Description = "constant or poisson.", DefaultValueFactory = _ => "constant" };
        arrival.AcceptOnlyFromAmong("constant", "poisson");
        var relayKey = new Option<string?>("--relay-key") { Description = "The relay's static public key (base64) to pin, for relay-tcp." };
        var wsSecret = new Option<string?>("--ws-secret") { Description = "The relay's WebSocket token secret, for relay-ws." };
        var cipher = new Option<string>("--cipher") { Description = "aesgcm or chachapoly.", DefaultValueFactory = _ => "aesgcm" };
        cipher.AcceptOnlyFromAmong("aesgcm", "chachapoly");
        var backend = new Option<string>("--backend") { Description = "auto, sodium, openssl or libcrypto.", DefaultValueFactory = _ => "auto" };
        backend.AcceptOnlyFromAmong("auto", "sodium", "openssl", "libcrypto");

        var outFile = new Option<string?>("--out") { Description = "Also write the result JSON to this file (one target only). Every run writes results/runs/<timestamp>-load-<target>/." };
        var findMax = new Option<bool>("--find-max") { Description = "Step the rate up from --rate until the SLO, delivery or loss breaks; report the highest sustainable rate." };
        var slo = new Option<string>("--slo") { Description = "Latency objective for --find-max, e.g. p99=5ms.", DefaultValueFactory = _ => "p99=5ms" };
        var stepDuration = new Option<string>("--step-duration") { Description = "Measured time of each --find-max step.", DefaultValueFactory = _ => "5s" };
        var process = new TargetProcessOptions();
        var cluster = new ClusterArguments();

        var sealedSender = new Option<bool>("--sealed-sender") { Description = "Relay targets: send SEALED_SEND over anonymous connections with sender certificates and delivery tokens." };
        var padding = new Option<string>("--padding") { Description = "Relay targets: pad every plaintext: none, block:N, pow2 or padme.", DefaultValueFactory = _ => "none" };
        var handshakeFlood = new Option<double>("--handshake-flood") { Description = "relay-tcp with --target-process: while the run goes, a hostile client from 127.0.0.254 opens N connections a second that send garbage and N that send a valid first Noise message and go silent; its counts go to handshake-flood.json." };
        var handshakeFloodKind = new Option<string>("--handshake-flood-kind") { Description = "Which half of --handshake-flood runs: both (default), garbage or abandoned.", DefaultValueFactory = _ => "both" };
        handshakeFloodKind.AcceptOnlyFromAmong("both", "garbage", "abandoned");
        var store = new Option<string?>("--store") { Description = "relay-tcp/relay-ws with --target-process: the relay process's mailbox store, nats://HOST:PORT[,...] (JetStream); default memory." };
        var network = new Option<string?>("--network") { Description = "An impaired network between the run's connections and the target: none, mobile, 3g, lossy, flaky, or key=value pairs (latency=50ms,jitter=10ms,bandwidth=1mbit,stall=2s/60s,reset=0.01/s,seed=42); see perf impair --help." };
        var command = new Command("load", "Open-loop load: fixed arrival rate, latency from intended send time, HdrHistogram recording.")
        {
            target, targets, connections, rate, size, duration, warmup, arrival, relayKey, wsSecret, cipher, backend, outFile, findMax, slo, stepDuration, sealedSender, padding, store,
            handshakeFlood, handshakeFloodKind, network,
        };
        process.AddTo(command);
        cluster.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!DurationText.TryParse(parseResult.GetValue(duration), out var measured) || !DurationText.TryParse(parseResult.GetValue(warmup), out var warm))
            {
                await error.WriteLineAsync("perf load: --duration and --warmup take a time such as 30s, 2m or 500ms.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var scenario = new LoadScenario
            {
                Connections = parseResult.GetValue(connections),
                RatePerSecond = parseResult.GetValue(rate),
                MessageSize = parseResult.GetValue(size),
                Duration = measured,
                Warmup = warm,
                Arrival = parseResult.GetValue(arrival) == "poisson" ? ArrivalProcess.Poisson : ArrivalProcess.Constant,
            };
            if (scenario.Validate() is { } problem)
            {
                await error.WriteLineAsync($"perf load: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var names = parseResult.GetValue(targets)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                ?? [parseResult.GetValue(target) ?? "relay-tcp"];
            var outPath = parseResult.GetValue(outFile);
            if (outPath is not null && names.Length != 1)
            {
                await error.WriteLineAsync("perf load: --out takes one target; with --targets each run gets its own folder under results/runs/.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var clusterPlan = cluster.Read(parseResult, names, scenario.Duration, out var clusterProblem);
            if ((clusterProblem ?? (clusterPlan is null ? null : ClusterArguments.Unsupported(parseResult))) is { } clusterText)
            {
                await error.WriteLineAsync($"perf load: {clusterText}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (process.Read(parseResult, names, scenario.Connections, out var problemText) is not { } placement)
            {
                await error.WriteLineAsync($"perf load: {problemText}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            Slo? objective = null;
            SaturationOptions? steps = null;
            if (parseResult.GetValue(findMax))
            {
                try
                {
                    objective = Slo.Parse(parseResult.GetValue(slo)!);
                }
                catch (BadInputException ex)
                {
                    await error.WriteLineAsync($"perf load: {ex.Message}").ConfigureAwait(false);
                    return PerfCommandLine.BadInput;
                }

                if (!DurationText.TryParse(parseResult.GetValue(stepDuration), out var stepTime) || stepTime <= TimeSpan.Zero)
                {
                    await error.WriteLineAsync("perf load: --step-duration takes a positive time such as 5s.").ConfigureAwait(false);
                    return PerfCommandLine.BadInput;
                }

                steps = new SaturationOptions(stepTime, TimeSpan.FromSeconds(Math.Min(2, stepTime.TotalSeconds / 2)));
            }

            if (!RelayModeArguments.TryParse(parseResult.GetValue(sealedSender), parseResult.GetValue(padding)!, names, out var mode, out var modeProblem))
            {
                await error.WriteLineAsync($"perf load: {modeProblem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var cipherName = parseResult.GetValue(cipher)!;
            var backendName = parseResult.GetValue(backend)!;
            if (!AeadBackend.Parse(backendName).IsSupported(AeadAlgorithm.Parse(cipherName), out var unsupported))
            {
                await error.WriteLineAsync($"perf load: --backend {backendName} cannot run {cipherName} on this machine: {unsupported}.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var storeUrl = parseResult.GetValue(store);
            if (storeUrl is not null && (!placement.TargetProcess || !storeUrl.StartsWith("nats://", StringComparison.Ordinal)
                || Array.Exists(names, name => name.Trim().ToLowerInvariant() is not ("relay-tcp" or "relay-ws"))))
            {
                await error.WriteLineAsync("perf load: --store takes nats://HOST:PORT[,...] and needs a relay target in its own process (--target relay-tcp|relay-ws --target-process).").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            NetworkProfile? profile = null;
            if (parseResult.GetValue(network) is { } networkText)
            {
                if (!NetworkProfile.TryParse(networkText, out profile, out var networkProblem) || clusterPlan is not null)
                {
                    await error.WriteLineAsync($"perf load: --network: {(clusterPlan is null ? networkProblem : "not with relay-cluster (its nodes' links are not impaired)")}").ConfigureAwait(false);
                    return PerfCommandLine.BadInput;
                }
            }

            var options = new LoadTargetOptions(parseResult.GetValue(relayKey), parseResult.GetValue(wsSecret), cipherName, backendName, placement.TargetProcess, placement.TargetCpus, mode, storeUrl);
            var floodRate = parseResult.GetValue(handshakeFlood);
            if (!double.IsFinite(floodRate) || floodRate < 0)
            {
                await error.WriteLineAsync("perf load: --handshake-flood takes connections a second of each kind, such as 5000.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var flood = floodRate > 0 ? (floodRate, Enum.Parse<Perf.Load.Hostile.HandshakeFloodKinds>(parseResult.GetValue(handshakeFloodKind)!, ignoreCase: true)) : ((double, Perf.Load.Hostile.HandshakeFloodKinds)?)null;
            var extras = new LoadJobExtras(objective is null ? null : (objective, steps!), placement.IdleConnections, placement.ReconnectStorm, placement.GeneratorCpus, flood, profile);
            placement.Apply();
            var commandLine = CommandLineText.Redacted(TokenValues(parseResult));
            var environment = EnvironmentInfo.Capture(backendName, cipherName, VectorsRepoRoot());
            var results = new List<LoadRunResult>();
            var written = new List<PerfResult>();
            var console = LoadSummaryTable.Console(output);
            try
            {
                foreach (var name in names)
                {
                    var (run, path, result) = ClusterArguments.IsCluster(name)
                        ? await ClusterLoadJob.RunAsync(clusterPlan!, scenario, options, extras, commandLine, environment, ResultsLocation.Root(), output, cancellationToken).ConfigureAwait(false)
                        : await LoadJob.RunAsync(name, scenario, options, extras, commandLine, environment, ResultsLocation.Root(), output, cancellationToken).ConfigureAwait(false);
                    results.Add(run);
                    written.Add(result);
                    if (outPath is not null)
                    {
                        File.Copy(path, outPath, overwrite: true);
                    }

                    await output.WriteLineAsync($"result: {path}").ConfigureAwait(false);
                }
            }
            catch (LoadTargetException ex)
            {
                await error.WriteLineAsync($"perf load: {ex.Message}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            LoadSummaryTable.Write(console, results);
            if (written.Count > 1)
            {
                FloorTable.Write(console, written);
            }

            return PerfCommandLine.Ok;
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

    private static string? VectorsRepoRoot() => Perf.Vectors.VectorDirectory.FindRepoRoot();
}
